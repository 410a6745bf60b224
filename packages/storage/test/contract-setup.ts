import type { StatsContractStore } from '@jobs/core/testing';
import { createPgStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

/**
 * Runs the contract on one migrated schema per test file: the first setup creates it, later
 * ones empty it. The schema is dropped by `dropSchema` in an afterAll.
 */
export function pgContractSetup(prefix: string, which: 'default' | 'embedded') {
  let schema: TestSchema | undefined;
  const setup = async (): Promise<StatsContractStore> => {
    schema ??= await createTestSchema(prefix, which);
    await schema.truncate();
    const { url, schema: name } = schema;
    const store = createPgStore({ url, schema: name, max: 4 });
    const others: { close(): Promise<void> }[] = [];
    return {
      store,
      openAnother: async () => {
        const other = createPgStore({ url, schema: name, max: 2 });
        others.push(other);
        return other;
      },
      cleanup: async () => {
        await Promise.all([store.close(), ...others.map((o) => o.close())]);
      },
    };
  };
  const dropSchema = async () => {
    await schema?.drop();
  };
  return { setup, dropSchema };
}
