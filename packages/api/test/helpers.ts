import { defineHandlers, handler } from '@jobs/core';
import { createPgStore, type PgJobStore } from '@jobs/storage';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { z } from 'zod';
import { type AppOptions, createApp } from '../src/app.js';

/** The handlers every API test registers. */
export const registry = defineHandlers({
  mailer: handler(
    {
      send(to: string, subject: string) {
        return `${to}:${subject}`;
      },
    },
    { schemas: { send: z.tuple([z.email(), z.string().min(1)]) } },
  ),
  'App\\Services\\SomeClass': {
    someMethod(a: number, b: number) {
      return a + b;
    },
  },
  reports: {
    build(year: number) {
      return year;
    },
  },
});

/** A JSON body in a test: its shape is what the assertions check. */
// biome-ignore lint/suspicious/noExplicitAny: bodies are checked by the tests' assertions
export type AnyBody = any;

/** A response whose `json()` is loosely typed, for assertions. */
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<AnyBody> };

/** An app over a fresh schema; `close()` (or `await using`) releases everything. */
export interface TestApi extends AsyncDisposable {
  readonly app: ReturnType<typeof createApp>;
  readonly store: PgJobStore;
  readonly schema: TestSchema;
  /** Calls the app; JSON-encodes `json` when given. */
  call(
    method: string,
    path: string,
    init?: { json?: unknown; body?: string; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  /** Opens another store on the same schema (another process, as far as the database can tell). */
  another(): PgJobStore;
  close(): Promise<void>;
}

/**
 * Creates a schema, a store and an app; options are passed to `createApp`, `schemaOptions` to
 * `createTestSchema` (rows from an older version, say).
 */
export async function createTestApi(
  prefix: string,
  options: Partial<AppOptions> = {},
  schemaOptions: Parameters<typeof createTestSchema>[2] = {},
): Promise<TestApi> {
  const schema = await createTestSchema(`api_${prefix}`, 'default', schemaOptions);
  const store = createPgStore({ url: schema.url, schema: schema.schema, max: 4 });
  const others: PgJobStore[] = [];
  const app = createApp({
    store,
    handlers: registry,
    token: null,
    onError: (error) => {
      throw new Error(`unexpected error reached onError: ${String(error)}`);
    },
    ...options,
  });
  const close = async () => {
    await Promise.all([store.close(), ...others.map((o) => o.close())]);
    await schema.drop();
  };
  return {
    app,
    store,
    schema,
    call: (method, path, init = {}) => {
      const headers: Record<string, string> = { ...init.headers };
      let body = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers['Content-Type'] ??= 'application/json';
      }
      return Promise.resolve(
        app.request(path, { method, headers, ...(body === undefined ? {} : { body }) }),
      );
    },
    another: () => {
      const other = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
      others.push(other);
      return other;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Claims every due job as `worker` and completes the first `completed`, failing the rest. */
export async function runJobs(store: PgJobStore, completed: number, worker = 'w1'): Promise<void> {
  const jobs = await store.jobClaim({
    workerId: worker,
    queues: null,
    limit: 1000,
    leaseMs: 60_000,
  });
  const at = new Date().toISOString();
  await store.jobComplete({
    workerId: worker,
    jobs: jobs.slice(0, completed).map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
  });
  await store.jobFail({
    workerId: worker,
    jobs: jobs.slice(completed).map((j) => ({
      id: j.id,
      attempt: j.attempt,
      error: { attempt: j.attempt, message: 'boom', name: 'Error', at },
      outcome: { state: 'failed' as const },
    })),
  });
}
