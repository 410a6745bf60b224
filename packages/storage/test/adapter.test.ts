import {
  type StoreEvent,
  StoreRejectedError,
  StoreUnavailableError,
  ValidationError,
} from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapStoreError } from '../src/errors.js';
import { INSERT_CHUNK_SIZE } from '../src/sql/insert.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

describe('the PostgreSQL adapter', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('adapter');
    store = createPgStore({ url: schema.url, schema: schema.schema });
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('inserts many jobs in one statement (one insert notification for the batch)', async () => {
    const events: StoreEvent[] = [];
    const stop = await store.eventListen((e) => events.push(e));
    const jobs = await store.jobInsert({ jobs: Array.from({ length: 100 }, () => newJob()) });
    await new Promise((r) => setTimeout(r, 300));
    await stop();
    expect(events.map((e) => e.type)).toEqual(['inserted', 'changed']);
    expect(events[1]).toMatchObject({ change: 'created', state: 'queued' });
    const ids = events[1]?.type === 'changed' ? [...events[1].ids] : [];
    expect(ids.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('returns each inserted job exactly as a later read of its row gives it', async () => {
    const at = new Date(Date.now() + 3_600_000);
    const input = [
      newJob(),
      newJob({ queue: 'returned', tags: ['a', 'b "c"'], priority: 7, timeoutMs: 5_000 }),
      newJob({ runAt: { delayMs: 60_000 }, params: [{ nested: { z: 1, a: [null, 'x'] } }] }),
      newJob({ runAt: { at }, uniqueKey: 'returned-key', backoff: { kind: 'fixed', delayMs: 5 } }),
      // Held by the job just before it: reported as that job.
      newJob({ uniqueKey: 'returned-key' }),
      newJob({ handler: 'other', method: 'run', maxAttempts: 1 }),
    ];
    for (const batch of [input, input.filter((j) => j.uniqueKey === null)]) {
      const jobs = await store.jobInsert({ jobs: batch });
      expect(jobs).toHaveLength(batch.length);
      for (const { created: _, ...job } of jobs)
        expect(job).toEqual(await store.jobGet({ id: job.id }));
    }
    // Jobs sharing one policy object (a client default) each get their own.
    const shared = { kind: 'fixed', delayMs: 7 } as const;
    const [first, second] = await store.jobInsert({
      jobs: [newJob({ backoff: shared }), newJob({ backoff: shared })],
    });
    expect(first?.backoff).toEqual(shared);
    expect(first?.backoff).not.toBe(shared);
    expect(first?.backoff).not.toBe(second?.backoff);
  });

  it('returns each claimed job exactly as a later read of its row gives it', async () => {
    await store.connection.sql`DELETE FROM jobs`;
    await store.jobInsert({
      jobs: [
        newJob({
          queue: 'claimed',
          params: [1, 'two', { three: [3] }],
          priority: 5,
          timeoutMs: 1_234,
          uniqueKey: 'u-claimed',
          tags: ['a', 'b'],
          backoff: { kind: 'fixed', delayMs: 7 },
          concurrencyKey: null,
          traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        }),
        newJob({ queue: 'claimed' }),
      ],
    });
    // A retried job: its earlier error and log line come with the claim.
    await store.connection.sql`
      UPDATE jobs SET errors = '[{"attempt":1,"message":"m","name":"E","at":"2026-01-01T00:00:00.000Z"}]',
                      logs = '[{"at":"2026-01-01T00:00:00.000Z","line":"l"}]', progress = '{"p":1}'
       WHERE unique_key = 'u-claimed'`;
    const claimed = await store.jobClaim({
      workerId: 'w-1',
      queues: ['claimed'],
      limit: 10,
      leaseMs: 60_000,
    });
    expect(claimed).toHaveLength(2);
    for (const job of claimed) {
      expect(job.state).toBe('running');
      expect(job.leaseOwner).toBe('w-1');
      expect(job).toEqual(await store.jobGet({ id: job.id }));
    }
  });

  it('computes state and times of jobs without unique keys as a later read gives them', async () => {
    const input = [
      newJob({ runAt: { delayMs: 0 } }),
      newJob({ runAt: { delayMs: 1 } }),
      newJob({ runAt: { delayMs: -5_000 } }),
      newJob({ runAt: { at: new Date(Date.now() - 60_000) } }),
      newJob({ runAt: { at: new Date(Date.now() + 60_000) } }),
      // Not whole milliseconds: read back row by row instead.
      newJob({ runAt: { delayMs: 1.5 } }),
    ];
    for (const batch of [input, input.slice(0, 5)]) {
      const jobs = await store.jobInsert({ jobs: batch });
      expect(jobs.map((j) => j.state)).toEqual(
        ['queued', 'scheduled', 'queued', 'queued', 'scheduled', 'scheduled'].slice(
          0,
          batch.length,
        ),
      );
      for (const { created: _, ...job } of jobs)
        expect(job).toEqual(await store.jobGet({ id: job.id }));
    }
  });

  it('maps ids to jobs when other inserts took ids in between', async () => {
    // Every other id skipped, as when another session inserts at the same moment.
    await store.connection.sql.unsafe('ALTER SEQUENCE jobs_id_seq INCREMENT BY 2');
    try {
      const input = Array.from({ length: INSERT_CHUNK_SIZE + 10 }, (_, i) =>
        newJob({ queue: 'gaps', params: [i] }),
      );
      const jobs = await store.jobInsert({ jobs: input });
      expect(jobs.map((j) => j.params)).toEqual(input.map((j) => j.params));
      for (const i of [0, 1, INSERT_CHUNK_SIZE - 1, INSERT_CHUNK_SIZE, INSERT_CHUNK_SIZE + 9]) {
        const job = jobs[i];
        expect(job?.created).toBe(true);
        expect({ ...job, created: undefined }).toEqual(await store.jobGet({ id: job?.id ?? '' }));
      }
      expect(new Set(jobs.map((j) => j.id)).size).toBe(input.length);
    } finally {
      await store.connection.sql.unsafe('ALTER SEQUENCE jobs_id_seq INCREMENT BY 1');
    }
  });

  it('inserts a batch larger than one statement all or none, in input order', async () => {
    const size = INSERT_CHUNK_SIZE * 2 + 500;
    const before = (await store.jobCount()).byState.queued;
    // A NUL character is refused by jsonb: the last chunk fails, so nothing may be left.
    const broken = Array.from({ length: size }, (_, i) =>
      newJob({ queue: 'chunked', params: i === size - 10 ? ['\u0000'] : [i] }),
    );
    await expect(store.jobInsert({ jobs: broken })).rejects.toThrow();
    expect((await store.jobCount()).byState.queued).toBe(before);

    // Unique keys repeat across chunks: the second half is held by the first.
    const half = Math.ceil(size / 2);
    const keyed = Array.from({ length: size }, (_, i) =>
      newJob({ queue: 'chunked', params: [i], uniqueKey: `chunked-${i % half}` }),
    );
    const jobs = await store.jobInsert({ jobs: keyed });
    expect(jobs).toHaveLength(size);
    for (let i = 0; i < size; i++) {
      const job = jobs[i];
      expect(job?.params).toEqual([i % half]);
      if (i >= half) expect(job?.id).toBe(jobs[i - half]?.id);
      if (i > 0 && i < half)
        expect(BigInt(job?.id ?? 0)).toBeGreaterThan(BigInt(jobs[i - 1]?.id ?? 0));
    }
    expect((await store.jobCount()).byState.queued).toBe(before + half);
  });

  it('maps a malformed id to a ValidationError naming the field', async () => {
    await expect(store.jobGet({ id: 'abc' })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.jobCancel({ ids: ['1', '99999999999999999999'] })).rejects.toMatchObject({
      field: 'ids.1',
    });
  });

  it('sorts database errors by what failed: refused data is permanent, a busy server passes', async () => {
    // A NUL in jsonb: PostgreSQL's 22P05, which once came back as "id: must be a positive number".
    const [job] = await store.jobInsert({ jobs: [newJob()] });
    await store.jobClaim({ workerId: 'w', queues: null, limit: 1, leaseMs: 60_000 });
    const refused = await store
      .jobComplete({ workerId: 'w', jobs: [{ id: job!.id, attempt: 1, result: 'a\u0000' }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreRejectedError);
    expect(refused).toMatchObject({ sqlState: '22P05' });
    expect(refused).not.toHaveProperty('field');
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    expect(mapStoreError(deadlock)).toBeInstanceOf(StoreUnavailableError);
    const tooBig = Object.assign(new Error('index row size exceeds maximum'), { code: '54000' });
    expect(mapStoreError(tooBig)).toBeInstanceOf(StoreRejectedError);
    const unknown = Object.assign(new Error('relation does not exist'), { code: '42P01' });
    expect(mapStoreError(unknown)).toBe(unknown);
  });

  it('maps an unreachable server to StoreUnavailableError', async () => {
    const dead = createPgStore({ url: 'postgres://postgres@127.0.0.1:1/none', max: 1 });
    try {
      await expect(dead.jobGet({ id: '1' })).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await dead.close();
    }
  });

  it('keeps installations in different schemas apart', async () => {
    const other = await createTestSchema('adapter_other');
    const otherStore = createPgStore({ url: other.url, schema: other.schema });
    try {
      await otherStore.jobInsert({ jobs: [newJob({ queue: 'elsewhere' })] });
      const page = await store.jobList({ limit: 10, queues: ['elsewhere'] });
      expect(page.jobs).toEqual([]);
    } finally {
      await otherStore.close();
      await other.drop();
    }
  });
});
