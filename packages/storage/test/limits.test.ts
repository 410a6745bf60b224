import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgArray } from '../src/pg-array.js';
import { CLAIM } from '../src/sql/claim.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

class RolledBack extends Error {}

/** The claim under limits, one store at a time (the many-process proof is the worker's). */
describe('queue limits in the store', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('limits');
    store = createPgStore({ url: schema.url, schema: schema.schema });
  });

  beforeEach(async () => {
    await schema.truncate();
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  const claim = (limit: number, startLimit = limit, queues: string[] | null = null) =>
    store.jobClaim({ workerId: 'w1', queues, limit, leaseMs: 30_000, startLimit });

  const insert = (count: number, over: Parameters<typeof newJob>[0] = {}) =>
    store.jobInsert({ jobs: Array.from({ length: count }, () => newJob(over)) });

  it('sets, keeps and removes limits; lists them with their use', async () => {
    expect(await store.queueLimitsSet({ name: 'mail', limits: { concurrency: 3 } })).toEqual({
      name: 'mail',
      paused: false,
      concurrency: 3,
      keyConcurrency: null,
      rateLimit: null,
      running: 0,
      recentStarts: 0,
    });
    await store.queueLimitsSet({
      name: 'mail',
      limits: { rateLimit: { limit: 50, periodMs: 1000 }, keyConcurrency: 2 },
    });
    await insert(5, { queue: 'mail' });
    await claim(10);
    const [mail] = await store.queueUsageList();
    expect(mail).toEqual({
      name: 'mail',
      paused: false,
      concurrency: 3,
      keyConcurrency: 2,
      rateLimit: { limit: 50, periodMs: 1000 },
      running: 3,
      recentStarts: 3,
    });
    const cleared = await store.queueLimitsSet({
      name: 'mail',
      limits: { concurrency: null, rateLimit: null },
    });
    expect(cleared).toMatchObject({ concurrency: null, rateLimit: null, keyConcurrency: 2 });
  });

  it('refuses bad names and values naming the field, never a database error', async () => {
    await expect(store.queueLimitsSet({ name: 'a b', limits: {} })).rejects.toThrow(/^name/);
    await expect(
      store.queueLimitsSet({ name: 'q\u0000', limits: { concurrency: 1 } }),
    ).rejects.toThrow(/^name/);
    await expect(store.queueLimitsSet({ name: 'q', limits: { concurrency: 0 } })).rejects.toThrow(
      /^concurrency/,
    );
    await expect(
      store.queueLimitsSet({ name: 'q', limits: { rateLimit: { limit: 1, periodMs: -1 } } }),
    ).rejects.toThrow(/^rateLimit\.periodMs/);
    await expect(
      store.queueLimitsSet({ name: 'q', limits: { concurrency: 2 ** 40 } as never }),
    ).rejects.toThrow(/^concurrency/);
  });

  it('claims no more jobs of a queue than its free slots, whatever the batch asks', async () => {
    await store.queueLimitsSet({ name: 'mail', limits: { concurrency: 3 } });
    await insert(10, { queue: 'mail' });
    await insert(4, { queue: 'other' });
    const first = await claim(10);
    expect(first.filter((j) => j.queue === 'mail')).toHaveLength(3);
    expect(first.filter((j) => j.queue === 'other')).toHaveLength(4);
    // The claim says which jobs it took within a limit (their outcomes are written at once).
    for (const job of first) expect(job.limited).toBe(job.queue === 'mail' ? true : undefined);
    expect(await claim(10)).toEqual([]);
    await store.jobComplete({
      workerId: 'w1',
      jobs: [{ id: first[0]?.queue === 'mail' ? first[0].id : '', attempt: 1, result: null }],
    });
    expect((await claim(10)).map((j) => j.queue)).toEqual(['mail']);
  });

  it('takes no more limited jobs than startLimit, while unlimited jobs fill the batch', async () => {
    await store.queueLimitsSet({ name: 'mail', limits: { concurrency: 10 } });
    await insert(5, { queue: 'mail' });
    await insert(5, { queue: 'other' });
    const jobs = await claim(6, 2);
    expect(jobs.filter((j) => j.queue === 'mail')).toHaveLength(2);
    expect(jobs.filter((j) => j.queue === 'other')).toHaveLength(4);
  });

  it('runs at most keyConcurrency jobs per key and passes over busy keys', async () => {
    await store.jobInsert({
      jobs: [
        newJob({ queue: 'k', concurrencyKey: 'a', priority: 9 }),
        newJob({ queue: 'k', concurrencyKey: 'a', priority: 9 }),
        newJob({ queue: 'k', concurrencyKey: 'a', priority: 9 }),
        newJob({ queue: 'k', concurrencyKey: 'b' }),
        newJob({ queue: 'k' }),
      ],
    });
    const first = await claim(10);
    expect(first.map((j) => j.concurrencyKey).sort()).toEqual(['a', 'b', null]);
    // Keyed jobs hold a slot of their key: claimed within a limit (so is the queue's unkeyed
    // job: a queue with keyed work is claimed by the limited claim as a whole).
    expect(first.every((j) => j.limited === true)).toBe(true);
    expect(await claim(10)).toEqual([]);
    await store.queueLimitsSet({ name: 'k', limits: { keyConcurrency: 2 } });
    expect((await claim(10)).map((j) => j.concurrencyKey)).toEqual(['a']);
  });

  it('takes each key’s first jobs in claim order up to its room, merged in order with keyless jobs', async () => {
    await store.queueLimitsSet({ name: 'k', limits: { keyConcurrency: 2 } });
    // Interleaved keys a, b, c (4 jobs each), and two keyless jobs, one of them ahead of all.
    const jobs = [newJob({ queue: 'k', priority: 5 })];
    for (let i = 0; i < 12; i += 1) {
      jobs.push(newJob({ queue: 'k', concurrencyKey: ['a', 'b', 'c'][i % 3] ?? null }));
    }
    jobs.push(newJob({ queue: 'k' }));
    const inserted = await store.jobInsert({ jobs });
    const ids = inserted.map((j) => j.id);
    const first = await claim(100);
    // The keyless ones, and the first two of each key, in claim order (priority, then id).
    expect(first.map((j) => j.id)).toEqual([ids[0], ...ids.slice(1, 7), ids[13]]);
    // Each key has 2 running: nothing more of them until one finishes.
    expect(await claim(100)).toEqual([]);
    const a = first.find((j) => j.concurrencyKey === 'a');
    await store.jobComplete({
      workerId: 'w1',
      jobs: [{ id: a?.id ?? '', attempt: 1, result: null }],
    });
    expect((await claim(100)).map((j) => j.id)).toEqual([ids[7]]);
  });

  it('keeps a concurrency key as given, refusing unstorable text', async () => {
    const [job] = await insert(1, { concurrencyKey: 'customer \u00e9 \u{1F600}' });
    expect((await store.jobGet({ id: job?.id ?? '' }))?.concurrencyKey).toBe(
      'customer \u00e9 \u{1F600}',
    );
    await expect(insert(1, { concurrencyKey: 'a\u0000b' })).rejects.toThrow();
  });

  it('starts at most rate.limit jobs per period and says when the window frees', async () => {
    await store.queueLimitsSet({ name: 'r', limits: { rateLimit: { limit: 3, periodMs: 400 } } });
    await insert(10, { queue: 'r' });
    expect(await claim(10)).toHaveLength(3);
    const wait = await store.queueLimitWait({ queues: null });
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(400);
    expect(await claim(10)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, (wait ?? 0) + 20));
    expect(await claim(10)).toHaveLength(3);
    expect(await store.queueLimitWait({ queues: ['other'] })).toBeNull();
    await store.queuePause({ name: 'r' });
    expect(await store.queueLimitWait({ queues: null })).toBe(Number.POSITIVE_INFINITY);
  });

  it('says when the oldest start leaves a window that is not full, so a short claim waits no longer', async () => {
    await store.queueLimitsSet({ name: 'r', limits: { rateLimit: { limit: 3, periodMs: 400 } } });
    await insert(5, { queue: 'r' });
    // Nothing started yet: no window to wait for (the worker claims, or waits for its poll).
    expect(await store.queueLimitWait({ queues: null })).toBe(Number.POSITIVE_INFINITY);
    expect(await claim(1)).toHaveLength(1);
    // One start of three: the window is not full, and its oldest start leaves it within 400 ms.
    const wait = await store.queueLimitWait({ queues: null });
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(400);
  });

  it('does not count a running job whose lease expired', async () => {
    await store.queueLimitsSet({ name: 'mail', limits: { concurrency: 1 } });
    await insert(2, { queue: 'mail' });
    await store.jobClaim({ workerId: 'gone', queues: null, limit: 5, leaseMs: 50 });
    expect(await claim(5)).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    expect(await claim(5)).toHaveLength(1);
  });

  it('leaves a paused limited queue alone', async () => {
    await store.queueLimitsSet({ name: 'mail', limits: { concurrency: 2 } });
    await insert(2, { queue: 'mail', concurrencyKey: 'x' });
    await store.queuePause({ name: 'mail' });
    expect(await claim(5)).toEqual([]);
  });

  it('wakes listeners when a completion frees a slot of a limited queue', async () => {
    await store.queueLimitsSet({ name: 'mail', limits: { concurrency: 1 } });
    await insert(1, { queue: 'mail' });
    await insert(1, { queue: 'plain' });
    const events: string[] = [];
    const stop = await store.eventListen((e) => events.push(e.type));
    const jobs = await claim(5);
    const mail = jobs.find((j) => j.queue === 'mail');
    const plain = jobs.find((j) => j.queue === 'plain');
    await store.jobComplete({
      workerId: 'w1',
      jobs: [{ id: plain?.id ?? '', attempt: 1, result: null }],
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(events.filter((t) => t === 'inserted')).toEqual([]);
    await store.jobComplete({
      workerId: 'w1',
      jobs: [{ id: mail?.id ?? '', attempt: 1, result: null }],
    });
    await expect.poll(() => events.filter((t) => t === 'inserted').length).toBe(1);
    await stop();
  });
  /**
   * How often one claim statement (the pool's own text, in a transaction rolled back) called
   * the limited and the unlimited pick functions: the session's function counts, with function
   * tracking on, before and after it (counts not yet reported add up across transactions).
   */
  async function picksOfOneClaim(queues: string[] | null = null) {
    let calls: { limited: number; unlimited: number } | undefined;
    const counts = async (tx: Pick<typeof store.connection.sql, 'unsafe'>) => {
      const [row] = await tx.unsafe<{ limited: string | null; unlimited: string | null }[]>(
        `SELECT pg_stat_get_xact_function_calls('jobs_claim_limited'::regproc) AS limited,
                pg_stat_get_xact_function_calls('jobs_claim_candidates'::regproc) AS unlimited`,
      );
      return { limited: Number(row?.limited ?? 0), unlimited: Number(row?.unlimited ?? 0) };
    };
    await store.connection.sql
      .begin(async (tx) => {
        await tx.unsafe(`SET LOCAL track_functions = 'pl'`);
        const before = await counts(tx);
        const queueList = queues === null ? null : pgArray(queues);
        const rows = await tx.unsafe(CLAIM, [10, 'w1', 30_000, queueList, 10]);
        const after = await counts(tx);
        calls = {
          limited: after.limited - before.limited,
          unlimited: after.unlimited - before.unlimited,
        };
        expect(rows.length).toBeGreaterThan(0);
        throw new RolledBack();
      })
      .catch((error: unknown) => {
        if (!(error instanceof RolledBack)) throw error;
      });
    return calls;
  }

  it('calls the limited pick only when some queue is limited or some waiting job has a key', async () => {
    await insert(2);
    expect(await picksOfOneClaim()).toEqual({ limited: 0, unlimited: 1 });
    await insert(1, { queue: 'k', concurrencyKey: 'a' });
    expect(await picksOfOneClaim()).toEqual({ limited: 1, unlimited: 1 });
    // Not when the keyed job is in a queue the worker does not take.
    expect(await picksOfOneClaim(['default'])).toEqual({ limited: 0, unlimited: 1 });
    expect(await picksOfOneClaim(['k'])).toMatchObject({ limited: 1 });
    await schema.truncate();
    await store.queueLimitsSet({
      name: 'mail',
      limits: { rateLimit: { limit: 5, periodMs: 1000 } },
    });
    await insert(2, { queue: 'mail' });
    expect(await picksOfOneClaim()).toMatchObject({ limited: 1 });
    expect(await picksOfOneClaim(['mail'])).toMatchObject({ limited: 1 });
    await insert(1);
    expect(await picksOfOneClaim(['default'])).toEqual({ limited: 0, unlimited: 1 });
  });
});
