import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { checkSchemaName } from '../connection.js';
import { migrate } from '../migrate.js';
import { migrateWithOldRows, type OldRows } from './old-rows.js';

/** The PostgreSQL the tests use (see global-setup). */
export function testDatabaseUrl(which: 'default' | 'embedded' = 'default'): string {
  const url =
    which === 'embedded' ? process.env.TEST_EMBEDDED_DATABASE_URL : process.env.TEST_DATABASE_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'no test database: add @jobs/storage/testing/global-setup to vitest globalSetup',
    );
  }
  return url;
}

/** A migrated schema of its own for one test file; dropped by `drop()` or `await using`. */
export interface TestSchema extends AsyncDisposable {
  readonly url: string;
  readonly schema: string;
  /** Empties the tables, for a clean slate between tests. */
  truncate(): Promise<void>;
  drop(): Promise<void>;
}

/**
 * Creates and migrates a uniquely named schema, so test files can run in parallel. With
 * `oldRows`, their statements run on the schema as an older version left it, before the rest of
 * the migrations (rows a user's database holds when it upgrades).
 */
export async function createTestSchema(
  prefix: string,
  which: 'default' | 'embedded' = 'default',
  options: { readonly oldRows?: OldRows } = {},
): Promise<TestSchema> {
  const url = testDatabaseUrl(which);
  const schema = checkSchemaName(
    `t_${prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, '_')
      .slice(0, 30)}_${randomBytes(4).toString('hex')}`,
  );
  if (options.oldRows === undefined) await migrate({ url, schema });
  else await migrateWithOldRows({ url, schema }, options.oldRows);
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const drop = async () => {
    await admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`;
    await admin.end({ timeout: 5 });
  };
  return {
    url,
    schema,
    truncate: async () => {
      await admin.unsafe(
        `TRUNCATE ${schema}.jobs, ${schema}.job_queues, ${schema}.job_queue_starts, ${schema}.job_dependencies, ${schema}.job_dependency_counts RESTART IDENTITY`,
      );
    },
    drop,
    [Symbol.asyncDispose]: drop,
  };
}
