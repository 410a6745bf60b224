import { EventEmitter } from 'node:events';
import { createClient, defineHandlers, handler, type Job } from '@jobs/core';
import { Bus, Cache, Mailer, SalesReport } from '@jobs/core/testing';
import { createPgStore, type PgJobStore } from '@jobs/storage';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, silentLogger, type Worker } from '../src/index.js';

// Rows naming a method a handler inherits from a built-in class, written straight into the
// jobs table past every client check: a real worker fails them permanently without calling
// anything, and still runs the methods the application declares.

const mailer = new Mailer();
const bus = new Bus();
const cache = new Cache();
const registry = defineHandlers({
  bus,
  cache,
  mailer: handler(mailer, { methods: ['send'] }),
  sales: new SalesReport(),
});

let schema: TestSchema;
let store: PgJobStore;
let worker: Worker | undefined;

beforeAll(async () => {
  schema = await createTestSchema('worker_allowlist');
  store = createPgStore({ url: schema.url, schema: schema.schema, max: 4 });
});
afterEach(async () => {
  await worker?.stop({ graceMs: 0 });
  worker = undefined;
});
afterAll(async () => {
  await store.close();
  await schema.drop();
});

/** Inserts a queued job with plain SQL, as a hand-written row or another client would. */
async function insertRow(handlerName: string, method: string, params: unknown[]): Promise<string> {
  const sql = store.connection.sql;
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO ${sql(schema.schema)}.jobs (handler, method, params, state, max_attempts, backoff)
    VALUES (${handlerName}, ${method}, ${JSON.stringify(params)}::jsonb, 'queued', 3,
            '{"kind":"fixed","delayMs":0}')
    RETURNING id::text AS id`;
  if (row === undefined) throw new Error('insert returned no row');
  return row.id;
}

async function rowCount(): Promise<number> {
  const sql = store.connection.sql;
  const [row] = await sql<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM ${sql(schema.schema)}.jobs`;
  return row?.n ?? -1;
}

async function waitForFinal(ids: readonly string[], timeoutMs = 10_000): Promise<Job[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => store.jobGet({ id })));
    const done = jobs.filter(
      (j): j is Job => j !== null && ['completed', 'failed'].includes(j.state),
    );
    if (done.length === ids.length) return done;
    if (Date.now() > deadline) throw new Error(`jobs not final: ${JSON.stringify(jobs)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a worker and the allow-list', () => {
  it('fails rows naming inherited built-in methods permanently, without calling them', async () => {
    const listener = () => undefined;
    bus.on('kept', listener);
    const refused = [
      await insertRow('bus', 'setMaxListeners', [99]),
      await insertRow('bus', 'removeAllListeners', []),
      await insertRow('bus', 'emit', ['kept']),
      await insertRow('cache', 'set', ['planted', 1]),
      await insertRow('mailer', 'render', ['eve']),
    ];
    const allowed = [
      await insertRow('bus', 'publish', ['news']),
      await insertRow('sales', 'header', []),
      await insertRow('sales', 'build', []),
      await insertRow('mailer', 'send', ['ann']),
    ];
    worker = createWorker({
      store,
      handlers: registry,
      pollIntervalMs: 50,
      flushIntervalMs: 5,
      jobLogPath: null,
      errorLogPath: null,
      logger: silentLogger,
    });
    await worker.start();
    const jobs = await waitForFinal([...refused, ...allowed]);
    await worker.stop();

    const byId = new Map(jobs.map((j) => [j.id, j]));
    for (const id of refused) {
      const job = byId.get(id);
      expect(job, `${job?.handler}.${job?.method}`).toMatchObject({ state: 'failed', attempt: 1 });
      expect(job?.errors).toHaveLength(1);
      expect(job?.errors[0]?.message).toContain(`"${job?.method}"`);
    }
    // The effects the refused calls would have had did not happen.
    expect(bus.getMaxListeners()).toBe(EventEmitter.defaultMaxListeners);
    expect(bus.listeners('kept')).toEqual([listener]);
    expect(cache.has('planted')).toBe(false);
    expect(mailer.rendered).toEqual(['ann']);

    expect(allowed.map((id) => [byId.get(id)?.state, byId.get(id)?.result])).toEqual([
      ['completed', 'published news'],
      ['completed', 'header'],
      ['completed', 'header sales'],
      ['completed', 'to ann'],
    ]);
  });

  it('refuses them through the client before anything reaches the table', async () => {
    const client = createClient(store, registry);
    const before = await rowCount();
    await expect(
      client.enqueueUntyped({ handler: 'bus', method: 'setMaxListeners', params: [99] }),
    ).rejects.toMatchObject({ name: 'UnknownHandlerError', method: 'setMaxListeners' });
    await expect(
      client.enqueueUntyped({ handler: 'mailer', method: 'render', params: ['eve'] }),
    ).rejects.toMatchObject({ name: 'UnknownHandlerError', method: 'render' });
    expect(await rowCount()).toBe(before);
  });
});
