import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ENQUEUE_LIMITS,
  type EnqueueOptions,
  JOB_STATES,
  normalizeEnqueue,
  type StoreEvent,
  ValidationError,
} from '@jobs/core';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../src/migrate.js';
import {
  ENQUEUE_ERROR_SQLSTATE,
  enqueueFunctionsSql,
  enqueueOneBody,
  postgresPattern,
} from '../src/sql/enqueue-function.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** What core's client says of a spec: the ValidationError message, or null when it is valid. */
function coreError(handler: string, method: string, params: unknown, options: object): string {
  try {
    normalizeEnqueue({ handler, method, params, options: options as EnqueueOptions });
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error(`core accepts ${JSON.stringify(options)}`);
}

/** Specs core refuses, each as SQL receives it (JSON), so both must give the same message. */
const BAD_SPECS: readonly [string, string, unknown, Record<string, unknown>][] = [
  ['mailer', 'send', [], { priority: 1_000_001 }],
  ['mailer', 'send', [], { priority: -1_000_001 }],
  ['mailer', 'send', [], { priority: 1.5 }],
  ['mailer', 'send', [], { priority: '5' }],
  ['mailer', 'send', [], { retries: -1 }],
  ['mailer', 'send', [], { retries: 1001 }],
  ['mailer', 'send', [], { queue: 'bad queue' }],
  ['mailer', 'send', [], { queue: '' }],
  ['mailer', 'send', [], { queue: 'q'.repeat(65) }],
  ['mailer', 'send', [], { delay: -1 }],
  ['mailer', 'send', [], { delay: ENQUEUE_LIMITS.maxDelaySeconds + 1 }],
  ['mailer', 'send', [], { delay: 'soon' }],
  ['mailer', 'send', [], { timeout: 0 }],
  ['mailer', 'send', [], { timeout: ENQUEUE_LIMITS.maxTimeoutSeconds + 1 }],
  ['mailer', 'send', [], { uniqueKey: '' }],
  ['mailer', 'send', [], { uniqueKey: 'k'.repeat(256) }],
  ['mailer', 'send', [], { uniqueKey: 7 }],
  ['mailer', 'send', [], { uniqueFor: 60 }],
  ['mailer', 'send', [], { uniqueStates: ['completed'] }],
  ['mailer', 'send', [], { uniqueKey: 'k', uniqueFor: 0 }],
  ['mailer', 'send', [], { uniqueKey: 'k', uniqueFor: -5 }],
  ['mailer', 'send', [], { uniqueKey: 'k', uniqueFor: '60' }],
  ['mailer', 'send', [], { uniqueKey: 'k', uniqueFor: 365 * 24 * 3600 + 1 }],
  ['mailer', 'send', [], { uniqueKey: 'k', uniqueStates: 'completed' }],
  ['mailer', 'send', [], { uniqueKey: 'k', uniqueStates: ['completed', 'done'] }],
  ['mailer', 'send', [], { uniqueKey: 'k', uniqueStates: [3] }],
  [
    'mailer',
    'send',
    [],
    { uniqueKey: 'k', uniqueStates: Array(JOB_STATES.length + 1).fill('queued') },
  ],
  ['mailer', 'send', [], { tags: 'urgent' }],
  ['mailer', 'send', [], { tags: ['ok', 3] }],
  ['mailer', 'send', [], { tags: ['ok', ''] }],
  ['mailer', 'send', [], { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
  ['mailer', 'send', [], { backoff: 'fast' }],
  ['mailer', 'send', [], { backoff: { kind: 'linear' } }],
  ['mailer', 'send', [], { backoff: { kind: 'fixed', delayMs: 10, baseMs: 1 } }],
  ['mailer', 'send', [], { backoff: { kind: 'fixed', delayMs: -1 } }],
  ['mailer', 'send', [], { backoff: { kind: 'exponential', baseMs: 10, maxMs: 5 } }],
  ['mailer', 'send', [], { backoff: { kind: 'exponential', baseMs: 1, maxMs: 5, factor: 101 } }],
  ['mailer', 'send', [], { backoff: { kind: 'fixed', delayMs: 1, jitter: 2 } }],
  ['mailer', 'send', [], { colour: 'red' }],
  ['mailer', 'send', [], { delay: 1, runAt: '2030-01-01T00:00:00Z' }],
  ['mailer', 'send', {}, {}],
  ['mailer', 'send', 'a', {}],
  ['constructor', 'send', [], {}],
  ['App\\Services\\Some Class', 'send', [], {}],
  ['a'.repeat(201), 'send', [], {}],
  ['mailer', '__proto__', [], {}],
  ['mailer', 'toString', [], {}],
  ['mailer', 'send.now', [], {}],
  ['mailer', 'sénd', [], {}],
];

/** The same tests on the machine's PostgreSQL and on the embedded 18. */
describe.each([
  ['PostgreSQL (TEST_DATABASE_URL)', 'default'],
  ['embedded PostgreSQL 18', 'embedded'],
] as const)('the SQL functions enqueue and enqueue_many on %s', (_name, which) => {
  let schema: TestSchema;
  let store: PgJobStore;
  /** A client of the application's own, whose search_path does not name the jobs schema. */
  let app: postgres.Sql;
  let fn: string;
  let manyFn: string;

  beforeAll(async () => {
    schema = await createTestSchema('enqueue_fn', which);
    store = createPgStore({ url: schema.url, schema: schema.schema });
    app = postgres(schema.url, { max: 2, onnotice: () => {} });
    fn = `"${schema.schema}".enqueue`;
    manyFn = `"${schema.schema}".enqueue_many`;
  });

  beforeEach(async () => {
    await schema.truncate();
  });

  afterAll(async () => {
    await app.end({ timeout: 5 });
    await store.close();
    await schema.drop();
  });

  const jobCount = async () => {
    const [row] = await store.connection.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM jobs`;
    return row?.n ?? -1;
  };

  it('runs the body written from core’s constants, as the newest migration holds it', async () => {
    const [row] = await store.connection.sql<{ body: string }[]>`
      SELECT prosrc AS body FROM pg_proc
       WHERE proname = 'jobs_enqueue_one' AND pronamespace = ${schema.schema}::regnamespace`;
    expect(collapse(row?.body ?? '')).toBe(collapse(enqueueOneBody()));
    const migration = await readFile(join(MIGRATIONS_FOLDER, '0014_workflows.sql'), 'utf8');
    expect(migration).toContain(enqueueFunctionsSql());
  });

  it('leaves no job when the caller rolls back', async () => {
    await expect(
      app.begin(async (tx) => {
        await tx.unsafe(`SELECT ${fn}('mailer', 'send', '["a@b.c"]'::jsonb)`);
        await tx.unsafe(`SELECT ${manyFn}($1::text::jsonb)`, [
          JSON.stringify([{ handler: 'mailer', method: 'send', params: [1] }]),
        ]);
        throw new Error('order failed');
      }),
    ).rejects.toThrow('order failed');
    expect(await jobCount()).toBe(0);
  });

  it('makes exactly the enqueued jobs visible at commit, with the client’s defaults', async () => {
    const ids = await app.begin(async (tx) => {
      const [one] = await tx.unsafe<{ id: string }[]>(
        `SELECT ${fn}('App\\Services\\SomeClass', 'someMethod', '["x", 2]'::jsonb) AS id`,
      );
      const [many] = await tx.unsafe<{ ids: string[] }[]>(
        `SELECT ${manyFn}($1::text::jsonb) AS ids`,
        [
          JSON.stringify([
            { handler: 'mailer', method: 'send', params: ['a'], options: { priority: 5 } },
            { handler: 'mailer', method: 'send', params: ['b'] },
          ]),
        ],
      );
      // Not visible to others before the commit.
      expect(await jobCount()).toBe(0);
      return [String(one?.id), ...(many?.ids ?? []).map(String)];
    });
    expect(ids).toHaveLength(3);
    const page = await store.jobList({ limit: 10 });
    expect(page.jobs.map((j) => j.id).sort()).toEqual([...ids].sort());
    const first = await store.jobGet({ id: ids[0] as string });
    // The same job the client makes of the same spec.
    const expected = normalizeEnqueue({
      handler: 'App\\Services\\SomeClass',
      method: 'someMethod',
      params: ['x', 2],
    });
    expect(first).toMatchObject({
      queue: expected.queue,
      handler: expected.handler,
      method: expected.method,
      params: expected.params,
      priority: expected.priority,
      maxAttempts: expected.maxAttempts,
      backoff: expected.backoff,
      timeoutMs: null,
      uniqueKey: null,
      tags: [],
      state: 'queued',
    });
    expect(first?.maxAttempts).toBe(4);
    const second = await store.jobGet({ id: ids[1] as string });
    expect(second).toMatchObject({ params: ['a'], priority: 5 });
    expect(await store.queueList()).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'default' })]),
    );
  });

  it('applies every option as the client does', async () => {
    const options = {
      priority: -3,
      delay: 60.5,
      retries: 0,
      queue: 'mail:eu',
      timeout: 1.5,
      uniqueKey: 'receipt-42',
      tags: ['receipt', 'eu'],
      backoff: { kind: 'fixed', delayMs: 250 },
    } as const;
    const [row] = await app.unsafe<{ id: string; now: Date }[]>(
      `SELECT ${fn}('mailer', 'send', '[]'::jsonb, $1::text::jsonb) AS id, now() AS now`,
      [JSON.stringify(options)],
    );
    const job = await store.jobGet({ id: String(row?.id) });
    const expected = normalizeEnqueue({ handler: 'mailer', method: 'send', params: [], options });
    expect(job).toMatchObject({
      state: 'scheduled',
      queue: expected.queue,
      priority: expected.priority,
      maxAttempts: expected.maxAttempts,
      timeoutMs: expected.timeoutMs,
      uniqueKey: expected.uniqueKey,
      tags: expected.tags,
      backoff: expected.backoff,
    });
    expect(job?.runAt.getTime()).toBe(Number(row?.now.getTime()) + 60_500);
    const runAt = '2031-05-06T07:08:09.000Z';
    const [at] = await app.unsafe<{ id: string }[]>(
      `SELECT ${fn}('mailer', 'send', '[]'::jsonb, $1::text::jsonb) AS id`,
      [JSON.stringify({ runAt, priority: null })],
    );
    expect((await store.jobGet({ id: String(at?.id) }))?.runAt.toISOString()).toBe(runAt);
  });

  it('answers a held unique key with the holder’s id, as the store’s insert does', async () => {
    const [held] = await store.jobInsert({
      jobs: [
        normalizeEnqueue({ handler: 'm', method: 's', params: [], options: { uniqueKey: 'k' } }),
      ],
    });
    const [row] = await app.unsafe<{ id: string; ids: string[] }[]>(
      `SELECT ${fn}('m', 's', '[1]'::jsonb, '{"uniqueKey":"k"}') AS id,
              ${manyFn}('[{"handler":"m","method":"s","params":[],"options":{"uniqueKey":"n"}},
                          {"handler":"m","method":"s","params":[],"options":{"uniqueKey":"n"}}]') AS ids`,
    );
    expect(String(row?.id)).toBe(held?.id);
    const [a, b] = (row?.ids ?? []).map(String);
    expect(a).toBe(b);
    expect(await jobCount()).toBe(2);
    // Once the holder is finished, the key is free again.
    await store.jobCancel({ ids: [held?.id as string] });
    const [again] = await app.unsafe<{ id: string }[]>(
      `SELECT ${fn}('m', 's', '[]'::jsonb, '{"uniqueKey":"k"}') AS id`,
    );
    expect(String(again?.id)).not.toBe(held?.id);
  });

  it.each(BAD_SPECS)(
    'refuses %s.%s(%j) %j with core’s message, naming the field',
    async (handler, method, params, options) => {
      const message = coreError(handler, method, params, options);
      const field = message.slice(0, message.indexOf(': '));
      const error = await app
        .unsafe(`SELECT ${fn}($1, $2, $3::text::jsonb, $4::text::jsonb)`, [
          handler,
          method,
          JSON.stringify(params),
          JSON.stringify(options),
        ])
        .then(
          () => null,
          (e: unknown) => e as postgres.PostgresError,
        );
      expect(error?.message).toBe(message);
      expect(error?.code).toBe(ENQUEUE_ERROR_SQLSTATE);
      expect(error?.detail).toBe(`field: ${field}`);
      expect(error?.column_name).toBe(field);
      expect(await jobCount()).toBe(0);
    },
  );

  it('refuses params larger than the limit, and a bad runAt, naming the field', async () => {
    const big = JSON.stringify(['x'.repeat(ENQUEUE_LIMITS.maxParamsBytes)]);
    await expect(app.unsafe(`SELECT ${fn}('m', 's', $1::text::jsonb)`, [big])).rejects.toThrow(
      /^params: is \d+ bytes as JSON, more than the limit of 1048576$/,
    );
    await expect(
      app.unsafe(`SELECT ${fn}('m', 's', '[]', '{"runAt":"next tuesday"}')`),
    ).rejects.toThrow('runAt: must be a valid time');
  });

  it('enqueue_many names the job at fault and inserts none of the batch', async () => {
    const jobs = [
      { handler: 'm', method: 's', params: [] },
      { handler: 'm', method: 's', params: [], options: { priority: 1e7 } },
    ];
    await expect(
      app.unsafe(`SELECT ${manyFn}($1::text::jsonb)`, [JSON.stringify(jobs)]),
    ).rejects.toThrow('jobs.1.priority: must be between -1000000 and 1000000');
    await expect(app.unsafe(`SELECT ${manyFn}('{}')`)).rejects.toThrow('jobs: must be an array');
    await expect(
      app.unsafe(`SELECT ${manyFn}('[{"handler":"m","method":"s","params":[],"when":1}]')`),
    ).rejects.toThrow('jobs.0.when: is not allowed');
    expect(await jobCount()).toBe(0);
  });

  it('leaves the caller’s transaction aborted after an error, as PostgreSQL does, unless a savepoint catches it', async () => {
    let next: unknown;
    await app
      .begin(async (tx) => {
        await tx.unsafe(`SELECT ${fn}('m', 's', '[]', '{"priority":"high"}')`).catch(() => {});
        next = await tx`SELECT 1`.catch((e: unknown) => e);
      })
      .catch(() => {});
    expect(String(next)).toMatch(/current transaction is aborted/);
    const kept = await app.begin(async (tx) => {
      await tx
        .savepoint((sp) => sp.unsafe(`SELECT ${fn}('m', 's', '[]', '{"priority":"high"}')`))
        .catch(() => {});
      const [row] = await tx.unsafe<{ id: string }[]>(`SELECT ${fn}('m', 's', '[]') AS id`);
      return String(row?.id);
    });
    expect((await store.jobGet({ id: kept }))?.state).toBe('queued');
  });

  it('wakes a listening worker at commit: it claims the job within 100 ms (LISTEN, not poll)', async () => {
    let claimed: Promise<unknown> | undefined;
    const stop = await store.eventListen((event: StoreEvent) => {
      // What the worker does on an "inserted" wake-up: claim at once.
      if (event.type === 'inserted' && claimed === undefined) {
        claimed = store.jobClaim({ workerId: 'w1', queues: null, limit: 10, leaseMs: 30_000 });
      }
    });
    try {
      const { id, committed } = await app.begin(async (tx) => {
        const [row] = await tx.unsafe<{ id: string }[]>(`SELECT ${fn}('m', 's', '[]') AS id`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        // Nothing to claim or hear before the commit.
        expect(claimed).toBeUndefined();
        // The database clock just before COMMIT.
        const [clock] = await tx<{ at: Date }[]>`SELECT clock_timestamp() AS at`;
        return { id: String(row?.id), committed: clock };
      });
      await expect.poll(() => claimed, { timeout: 2000 }).toBeDefined();
      await claimed;
      const job = await store.jobGet({ id });
      expect(job?.state).toBe('running');
      const lag =
        (job?.startedAt?.getTime() ?? Number.POSITIVE_INFINITY) - Number(committed?.at.getTime());
      expect(lag).toBeLessThan(100);
    } finally {
      await stop();
    }
  });
});

describe('core’s name patterns in PostgreSQL', () => {
  it('spells \\w out as ASCII, as JavaScript reads it', () => {
    expect(postgresPattern(/^[\w$]+$/)).toBe('^[A-Za-z0-9_$]+$');
  });
});
