import {
  createClient,
  defineHandlers,
  type NewJob,
  STREAM_MIN_JOBS,
  StoreRejectedError,
  ValidationError,
} from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

/** Every kind of value a row can carry, including text COPY has to escape. */
function variedJobs(count: number, tag: string, now: number): NewJob[] {
  return Array.from({ length: count }, (_, i) =>
    newJob({
      queue: ['default', 'copy-a', 'copy.b'][i % 3] as string,
      handler: i % 4 === 0 ? 'App\\Services\\Mailer' : 'mailer',
      method: 'send',
      params: [i, `tab\there`, { back: 'slash\\ "quote" \r\n', é: '✓ 😀' }, null, [true, 1.5]],
      priority: (i % 7) - 3,
      maxAttempts: 1 + (i % 5),
      timeoutMs: i % 2 === 0 ? null : 1_000 * i,
      tags: i % 3 === 0 ? [] : [tag, `t\\${i}`, 'with "quotes"', 'tab\tand\nnewline'],
      backoff:
        i % 2 === 0
          ? { kind: 'fixed', delayMs: i }
          : { kind: 'exponential', baseMs: 10, maxMs: 1_000, factor: 2, jitter: 0.1 },
      runAt:
        i % 5 === 0
          ? { at: new Date(now + (i % 10 === 0 ? -60_000 : 60_000)) }
          : { delayMs: [0, 1, 250, 86_400_000][i % 4] as number },
      concurrencyKey: i % 3 === 1 ? `key\t${i % 4}` : null,
      traceContext:
        i % 4 === 2
          ? { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, tracestate: 'k=v' }
          : null,
    }),
  );
}

/**
 * A stored row's columns that do not depend on when or by which path it was inserted (the
 * first tag names the path); the time a job is due after its creation, unless given (`at`).
 */
function comparable(row: Record<string, unknown>, i: number): Record<string, unknown> {
  const { id: _, created_at, run_at, tags, ...rest } = row;
  const runAt = new Date(run_at as string).getTime();
  return {
    ...rest,
    tags: (tags as string[]).slice(1),
    due: i % 5 === 0 ? runAt : runAt - new Date(created_at as string).getTime(),
  };
}

/** `jobs` handed over in chunks of `size`, each after a turn of the event loop. */
async function* chunked(jobs: readonly NewJob[], size: number): AsyncGenerator<readonly NewJob[]> {
  for (let from = 0; from < jobs.length; from += size) {
    await new Promise((resolve) => setImmediate(resolve));
    yield jobs.slice(from, from + size);
  }
}

describe('the streamed insert (COPY)', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  let admin: postgres.Sql;

  beforeAll(async () => {
    schema = await createTestSchema('insert_copy');
    store = createPgStore({
      url: schema.url,
      schema: schema.schema,
      max: 1,
      applicationName: schema.schema,
    });
    admin = postgres(schema.url, {
      max: 1,
      onnotice: () => {},
      connection: { search_path: schema.schema },
    });
  });

  afterAll(async () => {
    await store.close();
    await admin.end();
    await schema.drop();
  });

  beforeEach(() => schema.truncate());

  const rowsOf = async (ids: readonly string[]) =>
    (await admin.unsafe('SELECT * FROM jobs WHERE id = ANY($1::bigint[]) ORDER BY id', [
      ids as string[],
    ])) as unknown as Record<string, unknown>[];

  const stream = (jobs: readonly NewJob[], size = 37) =>
    store.jobInsertStream({ count: jobs.length, chunks: chunked(jobs, size) });

  const openTransactions = async () => {
    const [row] = await admin`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE state LIKE 'idle in transaction%' AND application_name = ${schema.schema}`;
    return row?.n;
  };

  it('writes the rows the INSERT statement writes, and returns them as read back', async () => {
    const now = Date.now();
    const streamed = await stream(variedJobs(300, 'copy', now));
    const inserted = await store.jobInsert({ jobs: variedJobs(300, 'insert', now) });
    const streamedRows = await rowsOf(streamed.map((j) => j.id));
    const insertedRows = await rowsOf(inserted.map((j) => j.id));
    expect(streamedRows).toHaveLength(300);
    expect(streamedRows.map(comparable)).toEqual(insertedRows.map(comparable));
    expect(streamedRows.map((r) => String(r.id))).toEqual(streamed.map((j) => j.id));
    for (const { created, ...job } of streamed) {
      expect(created).toBe(true);
      expect(job).toEqual(await store.jobGet({ id: job.id }));
    }
    // The queues were recorded, as by the INSERT statement.
    const queues = await admin`SELECT name FROM job_queues ORDER BY name`;
    expect(queues.map((q) => q.name)).toEqual(['copy-a', 'copy.b', 'default']);
  });

  it.each([
    ['its first row', 0],
    ['its last row', 599],
  ])('refused by the database at %s: rejects, keeps nothing, the pool goes on', async (_, bad) => {
    const input = Array.from({ length: 600 }, (_, i) =>
      newJob({ params: i === bad ? ['\u0000'] : [i] }),
    );
    const error = await stream(input, 200).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreRejectedError);
    expect((error as StoreRejectedError).sqlState).toBe('22P05');
    expect(await store.jobCount()).toMatchObject({ byState: { queued: 0 } });
    expect(await openTransactions()).toBe(0);
    // The pool's only connection is back.
    expect(await stream(input.map((job, i) => ({ ...job, params: [i] })))).toHaveLength(600);
  });

  it('gives up when the chunks fail: the same error, nothing kept, the pool goes on', async () => {
    async function* failing(): AsyncGenerator<readonly NewJob[]> {
      yield Array.from({ length: 100 }, () => newJob());
      throw new ValidationError('jobs.150.priority', 'must be an integer');
    }
    const error = await store
      .jobInsertStream({ count: 200, chunks: failing() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationError', field: 'jobs.150.priority' });
    expect(await store.jobCount()).toMatchObject({ byState: { queued: 0 } });
    expect(await openTransactions()).toBe(0);
    // Fewer or more jobs than announced: refused, nothing kept.
    const jobs = Array.from({ length: 10 }, () => newJob());
    await expect(store.jobInsertStream({ count: 11, chunks: chunked(jobs, 4) })).rejects.toThrow(
      '10 jobs to insert, not 11',
    );
    await expect(store.jobInsertStream({ count: 9, chunks: chunked(jobs, 4) })).rejects.toThrow(
      'more than 9 jobs',
    );
    expect(await store.jobCount()).toMatchObject({ byState: { queued: 0 } });
    expect(await stream(jobs)).toHaveLength(10);
  });

  it('gives batches streamed at the same moment each their own ids, in input order', async () => {
    const other = createPgStore({ url: schema.url, schema: schema.schema, max: 1 });
    try {
      const batch = (name: string) =>
        Array.from({ length: 3_000 }, (_, i) => newJob({ queue: name, params: [name, i] }));
      const [a, b] = await Promise.all([
        stream(batch('a'), 250),
        other.jobInsertStream({ count: 3_000, chunks: chunked(batch('b'), 250) }),
      ]);
      for (const jobs of [a, b]) {
        const rows = await rowsOf(jobs.map((j) => j.id));
        expect(rows.map((r) => [String(r.id), r.params])).toEqual(
          jobs.map((j) => [j.id, j.params]),
        );
      }
      expect(new Set([...a, ...b].map((j) => j.id)).size).toBe(6_000);
    } finally {
      await other.close();
    }
  });

  it("is what a client's large enqueueMany takes, and announces the jobs as an insert does", async () => {
    const client = createClient(
      store,
      defineHandlers({ mailer: { send: (_to: string, _subject: string) => null } }),
    );
    const created: string[] = [];
    const stop = await store.eventListen((event) => {
      if (event.type === 'changed' && event.change === 'created') created.push(...event.ids);
    });
    try {
      const specs = Array.from({ length: STREAM_MIN_JOBS }, (_, i) => ({
        handler: 'mailer' as const,
        method: 'send' as const,
        params: [`u${i}@b.c`, 'hi'] as const,
      }));
      const jobs = await client.enqueueMany(specs);
      expect(jobs.map((j) => j.params)).toEqual(specs.map((s) => s.params));
      const [last] = await rowsOf([jobs.at(-1)?.id ?? '0']);
      expect(last?.params).toEqual([`u${STREAM_MIN_JOBS - 1}@b.c`, 'hi']);
      for (let i = 0; i < 100 && created.length < STREAM_MIN_JOBS; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(new Set(created)).toEqual(new Set(jobs.map((j) => j.id)));
      // A bad spec anywhere: a ValidationError naming it, and nothing kept.
      const bad = specs.map((s, i) => (i === 4_321 ? { ...s, options: { priority: 1.5 } } : s));
      await expect(client.enqueueMany(bad)).rejects.toMatchObject({
        name: 'ValidationError',
        field: 'jobs.4321.priority',
      });
      expect((await store.jobCount()).byState.queued).toBe(STREAM_MIN_JOBS);
    } finally {
      await stop();
    }
  });
});
