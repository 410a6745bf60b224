import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreRejectedError } from '../errors.js';
import type { Job, RetryPolicy } from '../job.js';
import type { JobStatsStore, JobStore, StoreEvent } from '../store.js';
import { describeBoundsContract } from './contract-bounds.js';
import { newJob } from './new-job.js';

export { newJob } from './new-job.js';

/** What a store under test gives the contract suite. */
export interface ContractStore {
  /** The store every test talks to; empty at the start of each test. */
  readonly store: JobStore;
  /** Opens another client on the same data (another process, as far as the store can tell). */
  openAnother(): Promise<JobStore & { close(): Promise<void> }>;
  /** Closes what setup opened and removes the data. */
  cleanup(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/**
 * The JobStore contract: every adapter runs this suite. `setup` is called before each test
 * and must hand out an empty store.
 */
export function describeJobStoreContract(name: string, setup: () => Promise<ContractStore>): void {
  describe(`JobStore contract: ${name}`, () => {
    let ctx: ContractStore;
    let store: JobStore;
    const worker = 'worker-a';
    const claimAll = (limit = 100, workerId = worker, leaseMs = 30_000) =>
      store.jobClaim({ workerId, queues: null, limit, leaseMs });

    beforeEach(async () => {
      ctx = await setup();
      store = ctx.store;
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    describe('insert', () => {
      it('returns one job with its defaults, queued when due now', async () => {
        const [job] = await store.jobInsert({ jobs: [newJob()] });
        expect(job).toMatchObject({
          queue: 'default',
          handler: 'mailer',
          method: 'send',
          params: ['a@b.c', 'Hi'],
          state: 'queued',
          attempt: 0,
          maxAttempts: 4,
          errors: [],
          logs: [],
          progress: null,
          result: null,
          leaseOwner: null,
        });
        expect(job?.id).toMatch(/^[1-9]\d*$/);
        expect(await store.jobGet({ id: job!.id })).toEqual(job);
      });

      it('returns many jobs in input order', async () => {
        const input = Array.from({ length: 50 }, (_, i) =>
          newJob({ params: [i], priority: i % 3 }),
        );
        const jobs = await store.jobInsert({ jobs: input });
        expect(jobs.map((j) => j.params[0])).toEqual(input.map((j) => j.params[0]));
        expect(new Set(jobs.map((j) => j.id)).size).toBe(50);
      });

      it('makes a delayed job scheduled with its run time in the future', async () => {
        const [job] = await store.jobInsert({ jobs: [newJob({ runAt: { delayMs: 60_000 } })] });
        expect(job?.state).toBe('scheduled');
        expect(job!.runAt.getTime()).toBeGreaterThan(job!.createdAt.getTime() + 59_000);
      });

      it('takes an absolute run time', async () => {
        const at = new Date(Date.now() + 3_600_000);
        const [job] = await store.jobInsert({ jobs: [newJob({ runAt: { at } })] });
        expect(job?.state).toBe('scheduled');
        expect(job?.runAt.getTime()).toBe(at.getTime());
      });

      it('returns the unfinished holder of a unique key instead of a second job', async () => {
        const [first] = await store.jobInsert({ jobs: [newJob({ uniqueKey: 'k1' })] });
        const [again, other, sameBatch] = await store.jobInsert({
          jobs: [
            newJob({ uniqueKey: 'k1' }),
            newJob({ uniqueKey: 'k2' }),
            newJob({ uniqueKey: 'k2' }),
          ],
        });
        expect(again?.id).toBe(first?.id);
        expect(sameBatch?.id).toBe(other?.id);
        await store.jobCancel({ ids: [first!.id] });
        const [fresh] = await store.jobInsert({ jobs: [newJob({ uniqueKey: 'k1' })] });
        expect(fresh?.id).not.toBe(first?.id);
      });

      it('stores tags, timeout and backoff', async () => {
        const backoff: RetryPolicy = { kind: 'exponential', baseMs: 10, maxMs: 1000, factor: 3 };
        const [job] = await store.jobInsert({
          jobs: [newJob({ tags: ['a', 'b'], timeoutMs: 1500, backoff })],
        });
        expect(job).toMatchObject({ tags: ['a', 'b'], timeoutMs: 1500, backoff });
      });
    });

    describe('claim', () => {
      it('claims by priority, then run time, then id', async () => {
        const now = Date.now();
        const input = [
          newJob({ params: ['low'], priority: -5 }),
          newJob({ params: ['high-later'], priority: 10, runAt: { at: new Date(now - 1_000) } }),
          newJob({ params: ['high-earlier'], priority: 10, runAt: { at: new Date(now - 5_000) } }),
          newJob({ params: ['mid-1'], priority: 1 }),
          newJob({ params: ['mid-2'], priority: 1 }),
        ];
        await store.jobInsert({ jobs: input });
        const order: string[] = [];
        for (let i = 0; i < input.length; i += 1) {
          const [job] = await claimAll(1);
          order.push(String(job?.params[0]));
        }
        expect(order).toEqual(['high-earlier', 'high-later', 'mid-1', 'mid-2', 'low']);
      });

      it('moves claimed jobs to running with a lease and counts the attempt', async () => {
        await store.jobInsert({ jobs: [newJob()] });
        const [job] = await claimAll(10, 'w-1', 60_000);
        expect(job).toMatchObject({ state: 'running', attempt: 1, leaseOwner: 'w-1' });
        expect(job!.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
        expect(job!.startedAt).not.toBeNull();
        expect(await claimAll()).toEqual([]);
      });

      it('never claims a job whose run time is in the future', async () => {
        await store.jobInsert({ jobs: [newJob({ runAt: { delayMs: 60_000 } })] });
        expect(await claimAll()).toEqual([]);
      });

      it('claims a delayed job once it is due', async () => {
        await store.jobInsert({ jobs: [newJob({ runAt: { delayMs: 300 } })] });
        expect(await claimAll()).toEqual([]);
        await sleep(400);
        expect(await claimAll()).toHaveLength(1);
      });

      it('never claims from a paused queue, and does again once resumed', async () => {
        await store.jobInsert({ jobs: [newJob({ queue: 'mail' }), newJob({ queue: 'other' })] });
        expect(await store.queuePause({ name: 'mail' })).toEqual({ name: 'mail', paused: true });
        const claimed = await claimAll();
        expect(claimed.map((j) => j.queue)).toEqual(['other']);
        await store.queueResume({ name: 'mail' });
        expect((await claimAll()).map((j) => j.queue)).toEqual(['mail']);
      });

      it('claims only from the queues asked for', async () => {
        await store.jobInsert({
          jobs: [newJob({ queue: 'a' }), newJob({ queue: 'b' }), newJob({ queue: 'c' })],
        });
        const claimed = await store.jobClaim({
          workerId: worker,
          queues: ['a', 'c'],
          limit: 10,
          leaseMs: 1_000,
        });
        expect(claimed.map((j) => j.queue).sort()).toEqual(['a', 'c']);
      });

      it('respects the limit', async () => {
        await store.jobInsert({ jobs: Array.from({ length: 7 }, () => newJob()) });
        expect(await claimAll(3)).toHaveLength(3);
        expect(await claimAll(10)).toHaveLength(4);
      });
    });

    describe('complete and fail', () => {
      async function claimOne(): Promise<Job> {
        await store.jobInsert({ jobs: [newJob()] });
        const [job] = await claimAll(1);
        if (job === undefined) throw new Error('nothing claimed');
        return job;
      }

      it('records a completion once, with its result', async () => {
        const job = await claimOne();
        const done = { id: job.id, attempt: job.attempt, result: { ok: true } };
        expect(await store.jobComplete({ workerId: worker, jobs: [done] })).toEqual([job.id]);
        expect(await store.jobComplete({ workerId: worker, jobs: [done] })).toEqual([]);
        const stored = await store.jobGet({ id: job.id });
        expect(stored).toMatchObject({
          state: 'completed',
          result: { ok: true },
          leaseOwner: null,
        });
        expect(stored?.finishedAt).not.toBeNull();
      });

      it('ignores a completion from a worker that does not hold the lease', async () => {
        const job = await claimOne();
        const stale = { id: job.id, attempt: job.attempt, result: null };
        expect(await store.jobComplete({ workerId: 'intruder', jobs: [stale] })).toEqual([]);
        expect(
          await store.jobComplete({ workerId: worker, jobs: [{ ...stale, attempt: 99 }] }),
        ).toEqual([]);
        expect((await store.jobGet({ id: job.id }))?.state).toBe('running');
      });

      it('completes many in one call', async () => {
        await store.jobInsert({ jobs: Array.from({ length: 20 }, () => newJob()) });
        const claimed = await claimAll(20);
        const ids = await store.jobComplete({
          workerId: worker,
          jobs: claimed.map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
        });
        expect(ids.sort()).toEqual(claimed.map((j) => j.id).sort());
        expect((await store.jobCount()).byState.completed).toBe(20);
      });

      it('records a failure as retrying with a later run time and the error', async () => {
        const job = await claimOne();
        const error = {
          attempt: 1,
          message: 'boom',
          name: 'Error',
          stack: 'at x',
          at: new Date().toISOString(),
        };
        const ids = await store.jobFail({
          workerId: worker,
          jobs: [
            { id: job.id, attempt: 1, error, outcome: { state: 'retrying', delayMs: 60_000 } },
          ],
        });
        expect(ids).toEqual([job.id]);
        const stored = await store.jobGet({ id: job.id });
        expect(stored).toMatchObject({
          state: 'retrying',
          attempt: 1,
          errors: [error],
          leaseOwner: null,
        });
        expect(stored!.runAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
        expect(await claimAll()).toEqual([]);
      });

      it('records a final failure and keeps every attempt error', async () => {
        const job = await claimOne();
        const at = new Date().toISOString();
        await store.jobFail({
          workerId: worker,
          jobs: [
            {
              id: job.id,
              attempt: 1,
              error: { attempt: 1, message: 'a', name: 'Error', at },
              outcome: { state: 'retrying', delayMs: 0 },
            },
          ],
        });
        const [again] = await claimAll();
        expect(again?.attempt).toBe(2);
        await store.jobFail({
          workerId: worker,
          jobs: [
            {
              id: job.id,
              attempt: 2,
              error: { attempt: 2, message: 'b', name: 'PermanentError', at },
              outcome: { state: 'failed' },
            },
          ],
        });
        const stored = await store.jobGet({ id: job.id });
        expect(stored?.state).toBe('failed');
        expect(stored?.errors.map((e) => e.message)).toEqual(['a', 'b']);
        expect(stored?.finishedAt).not.toBeNull();
      });

      it('releases a running job without counting its attempt', async () => {
        const job = await claimOne();
        expect(
          await store.jobRelease({
            workerId: worker,
            jobs: [{ id: job.id, attempt: job.attempt }],
          }),
        ).toEqual([job.id]);
        expect(await store.jobGet({ id: job.id })).toMatchObject({
          state: 'queued',
          attempt: 0,
          leaseOwner: null,
        });
        const [again] = await claimAll();
        expect(again?.attempt).toBe(1);
      });
    });

    describe('unstorable outcomes', () => {
      it('refuses a result or error PostgreSQL cannot hold with StoreRejectedError, recording none of the batch', async () => {
        await store.jobInsert({ jobs: [newJob(), newJob()] });
        const [a, b] = await claimAll(2);
        const at = new Date().toISOString();
        await expect(
          store.jobComplete({
            workerId: worker,
            jobs: [
              { id: a!.id, attempt: 1, result: 'fine' },
              { id: b!.id, attempt: 1, result: 'bad\u0000' },
            ],
          }),
        ).rejects.toBeInstanceOf(StoreRejectedError);
        await expect(
          store.jobFail({
            workerId: worker,
            jobs: [
              {
                id: b!.id,
                attempt: 1,
                error: { attempt: 1, message: 'half \uD83D', name: 'Error', at },
                outcome: { state: 'failed' },
              },
            ],
          }),
        ).rejects.toBeInstanceOf(StoreRejectedError);
        for (const job of [a, b])
          expect((await store.jobGet({ id: job!.id }))?.state).toBe('running');
        expect(
          await store.jobComplete({
            workerId: worker,
            jobs: [{ id: a!.id, attempt: 1, result: 1 }],
          }),
        ).toEqual([a!.id]);
      });
    });

    describe('leases', () => {
      it('renews only the leases a worker still holds', async () => {
        await store.jobInsert({ jobs: [newJob(), newJob()] });
        const [a, b] = await claimAll(2, worker, 1_000);
        await store.jobCancel({ ids: [b!.id] });
        const held = await store.leaseRenew({
          workerId: worker,
          jobs: [a!, b!].map(({ id, attempt }) => ({ id, attempt })),
          leaseMs: 60_000,
        });
        expect(held).toEqual([{ id: a!.id, attempt: 1 }]);
        expect((await store.jobGet({ id: a!.id }))!.leaseExpiresAt!.getTime()).toBeGreaterThan(
          Date.now() + 50_000,
        );
        expect(
          await store.leaseRenew({
            workerId: 'other',
            jobs: [{ id: a!.id, attempt: 1 }],
            leaseMs: 60_000,
          }),
        ).toEqual([]);
      });

      it('renews an attempt, not a job: an earlier attempt of a reclaimed job is not renewed', async () => {
        const [inserted] = await store.jobInsert({ jobs: [newJob()] });
        await claimAll(1, worker, 1_000);
        await store.jobCancel({ ids: [inserted!.id] });
        await store.jobRetry({ ids: [inserted!.id] });
        const [again] = await claimAll(1, worker, 1_000);
        expect(again?.attempt).toBe(2);
        const held = await store.leaseRenew({
          workerId: worker,
          jobs: [
            { id: inserted!.id, attempt: 1 },
            { id: inserted!.id, attempt: 2 },
          ],
          leaseMs: 60_000,
        });
        expect(held).toEqual([{ id: inserted!.id, attempt: 2 }]);
        expect(
          await store.leaseRenew({
            workerId: worker,
            jobs: [{ id: inserted!.id, attempt: 1 }],
            leaseMs: 60_000,
          }),
        ).toEqual([]);
      });

      it('rescues an expired lease as a failed attempt, "worker lost"', async () => {
        await store.jobInsert({ jobs: [newJob({ maxAttempts: 2 })] });
        const [job] = await claimAll(1, 'dead-worker', 1);
        await sleep(20);
        const rescued = await store.leaseRescue({ limit: 10, random: () => 0 });
        expect(rescued.map((j) => j.id)).toEqual([job!.id]);
        expect(rescued[0]).toMatchObject({ state: 'retrying', attempt: 1, leaseOwner: null });
        expect(rescued[0]?.errors[0]).toMatchObject({ attempt: 1, workerId: 'dead-worker' });
        expect(rescued[0]?.errors[0]?.message).toMatch(/worker lost/);
        // The dead worker's late completion is not recorded.
        expect(
          await store.jobComplete({
            workerId: 'dead-worker',
            jobs: [{ id: job!.id, attempt: 1, result: null }],
          }),
        ).toEqual([]);
        const [again] = await claimAll(1, 'w2', 1);
        await sleep(20);
        const [final] = await store.leaseRescue({ limit: 10, random: () => 0 });
        expect(final).toMatchObject({ id: again!.id, state: 'failed', attempt: 2 });
      });

      it('leaves live leases alone', async () => {
        await store.jobInsert({ jobs: [newJob()] });
        await claimAll(1, worker, 60_000);
        expect(await store.leaseRescue({ limit: 10, random: () => 0 })).toEqual([]);
      });
    });

    describe('cancel, retry, delete', () => {
      it('cancels queued, scheduled and running jobs, and nothing final', async () => {
        const [queued, scheduled, running] = await store.jobInsert({
          jobs: [newJob(), newJob({ runAt: { delayMs: 60_000 } }), newJob({ priority: 100 })],
        });
        await claimAll(1);
        const cancelled = await store.jobCancel({ ids: [queued!.id, scheduled!.id, running!.id] });
        expect(cancelled.map((j) => j.state)).toEqual(['cancelled', 'cancelled', 'cancelled']);
        expect(await store.jobCancel({ ids: [queued!.id] })).toEqual([]);
        expect(await claimAll()).toEqual([]);
      });

      it('tells listeners which running jobs were cancelled', async () => {
        const events: StoreEvent[] = [];
        const other = await ctx.openAnother();
        const stop = await other.eventListen((e) => events.push(e));
        try {
          await store.jobInsert({ jobs: [newJob()] });
          const [job] = await claimAll(1);
          await store.jobCancel({ ids: [job!.id] });
          await waitFor(() => events.some((e) => e.type === 'cancelled'));
          expect(events).toContainEqual({ type: 'cancelled', ids: [job!.id] });
        } finally {
          await stop();
          await other.close();
        }
      });

      it('wakes listeners when jobs are inserted', async () => {
        const events: StoreEvent[] = [];
        const other = await ctx.openAnother();
        const stop = await other.eventListen((e) => events.push(e));
        try {
          await store.jobInsert({ jobs: [newJob(), newJob()] });
          await waitFor(() => events.some((e) => e.type === 'inserted'));
        } finally {
          await stop();
          await other.close();
        }
      });

      it('retries a failed job now, allowing one more attempt', async () => {
        await store.jobInsert({ jobs: [newJob({ maxAttempts: 1 })] });
        const [job] = await claimAll(1);
        await store.jobFail({
          workerId: worker,
          jobs: [
            {
              id: job!.id,
              attempt: 1,
              error: { attempt: 1, message: 'x', name: 'Error', at: new Date().toISOString() },
              outcome: { state: 'failed' },
            },
          ],
        });
        const [retried] = await store.jobRetry({ ids: [job!.id] });
        expect(retried).toMatchObject({
          state: 'queued',
          attempt: 1,
          maxAttempts: 2,
          finishedAt: null,
        });
        const [again] = await claimAll(1);
        expect(again?.attempt).toBe(2);
        expect(await store.jobRetry({ ids: [job!.id] })).toEqual([]);
      });

      it('deletes jobs that are not running', async () => {
        const [a, b] = await store.jobInsert({ jobs: [newJob({ priority: 1 }), newJob()] });
        await claimAll(1);
        expect(await store.jobDelete({ ids: [a!.id, b!.id] })).toBe(1);
        expect(await store.jobGet({ id: b!.id })).toBeNull();
        expect(await store.jobGet({ id: a!.id })).not.toBeNull();
      });
    });

    describe('change events', () => {
      it('tells listeners what happened to which jobs, with their new state', async () => {
        const events: StoreEvent[] = [];
        const other = await ctx.openAnother();
        const stop = await other.eventListen((e) => events.push(e));
        const seen = () =>
          events.flatMap((e) =>
            e.type === 'changed' ? e.ids.map((id) => `${id} ${e.change} ${e.state}`) : [],
          );
        try {
          const [a, b, c] = await store.jobInsert({
            jobs: [newJob({ priority: 2 }), newJob({ priority: 1, maxAttempts: 1 }), newJob()],
          });
          await claimAll(2);
          const at = new Date().toISOString();
          await store.jobProgressSet({ workerId: worker, id: a!.id, attempt: 1, progress: 1 });
          await store.jobComplete({
            workerId: worker,
            jobs: [{ id: a!.id, attempt: 1, result: 1 }],
          });
          await store.jobFail({
            workerId: worker,
            jobs: [
              {
                id: b!.id,
                attempt: 1,
                error: { attempt: 1, message: 'x', name: 'Error', at },
                outcome: { state: 'failed' },
              },
            ],
          });
          await store.jobRetry({ ids: [b!.id] });
          await store.jobCancel({ ids: [c!.id] });
          await store.jobDelete({ ids: [c!.id] });
          const expected = [
            `${a!.id} created queued`,
            `${b!.id} created queued`,
            `${c!.id} created queued`,
            `${a!.id} started running`,
            `${b!.id} started running`,
            `${a!.id} progress running`,
            `${a!.id} completed completed`,
            `${b!.id} failed failed`,
            `${b!.id} retried queued`,
            `${c!.id} cancelled cancelled`,
            `${c!.id} deleted cancelled`,
          ];
          await waitFor(() => seen().length >= expected.length);
          expect(seen().sort()).toEqual(expected.sort());
        } finally {
          await stop();
          await other.close();
        }
      });
    });

    describe('progress and logs', () => {
      it('stores progress and keeps the newest log lines', async () => {
        await store.jobInsert({ jobs: [newJob()] });
        const [job] = await claimAll(1);
        const lines = Array.from({ length: 250 }, (_, i) => ({
          at: new Date().toISOString(),
          line: `l${i}`,
        }));
        const ref = { workerId: worker, id: job!.id, attempt: 1 };
        expect(await store.jobProgressSet({ ...ref, progress: 40, logs: lines })).toBe(true);
        expect(
          await store.jobProgressSet({
            ...ref,
            logs: [{ at: new Date().toISOString(), line: 'last' }],
          }),
        ).toBe(true);
        const stored = await store.jobGet({ id: job!.id });
        expect(stored?.progress).toBe(40);
        expect(stored?.logs.length).toBeLessThanOrEqual(200);
        expect(stored?.logs.at(-1)?.line).toBe('last');
        expect(await store.jobProgressSet({ ...ref, workerId: 'other', progress: 50 })).toBe(false);
      });

      it('refuses progress and log lines from an earlier attempt of the same job', async () => {
        await store.jobInsert({ jobs: [newJob({ maxAttempts: 3 })] });
        const [first] = await claimAll(1);
        const at = new Date().toISOString();
        await store.jobFail({
          workerId: worker,
          jobs: [
            {
              id: first!.id,
              attempt: 1,
              error: { attempt: 1, message: 'timed out', name: 'TimeoutError', at },
              outcome: { state: 'retrying', delayMs: 0 },
            },
          ],
        });
        const [second] = await claimAll(1);
        expect(second?.attempt).toBe(2);
        const late = { workerId: worker, id: first!.id, attempt: 1 };
        expect(
          await store.jobProgressSet({ ...late, progress: 99, logs: [{ at, line: 'late' }] }),
        ).toBe(false);
        const stored = await store.jobGet({ id: first!.id });
        expect(stored?.progress).toBeNull();
        expect(stored?.logs).toEqual([]);
        expect(
          await store.jobProgressSet({ ...late, attempt: 2, logs: [{ at, line: 'now' }] }),
        ).toBe(true);
      });
    });

    describeBoundsContract(() => store);

    describe('list and count', () => {
      it('filters by state, queue, handler, method, created range and text', async () => {
        await store.jobInsert({
          jobs: [
            newJob({
              queue: 'q1',
              handler: 'mailer',
              method: 'send',
              params: ['alice@example.com'],
            }),
            newJob({ queue: 'q2', handler: 'reports', method: 'build', params: [{ year: 2026 }] }),
            newJob({ queue: 'q2', handler: 'reports', method: 'mail', params: ['50%_off'] }),
          ],
        });
        const ids = async (params: Parameters<JobStore['jobList']>[0]) =>
          (await store.jobList(params)).jobs.map((j) => j.params[0]);
        expect(await ids({ limit: 10, queues: ['q2'], order: 'asc' })).toEqual([
          { year: 2026 },
          '50%_off',
        ]);
        expect(await ids({ limit: 10, handler: 'reports', method: 'build' })).toEqual([
          { year: 2026 },
        ]);
        expect(await ids({ limit: 10, search: 'ALICE' })).toEqual(['alice@example.com']);
        expect(await ids({ limit: 10, search: '%_' })).toEqual(['50%_off']);
        expect(await ids({ limit: 10, states: ['running'] })).toEqual([]);
        expect(await ids({ limit: 10, createdFrom: new Date(Date.now() + 60_000) })).toEqual([]);
        expect(await ids({ limit: 10, createdTo: new Date(Date.now() + 60_000) })).toHaveLength(3);
      });

      it('pages with a cursor, newest first, without gaps or repeats', async () => {
        await store.jobInsert({
          jobs: Array.from({ length: 25 }, (_, i) => newJob({ params: [i] })),
        });
        const seen: unknown[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await store.jobList({
            limit: 10,
            ...(cursor === undefined ? {} : { cursor }),
          });
          seen.push(...page.jobs.map((j) => j.params[0]));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => 24 - i));
      });

      it('lists a queue or handler in every state in id order, merged across states', async () => {
        // Jobs 1, 4, 6 and 7 go first: 1 and 6 complete, 4 fails, 7 stays running; the others
        // wait, 9 scheduled for later.
        const first = new Set([1, 4, 6, 7]);
        const inserted = await store.jobInsert({
          jobs: Array.from({ length: 10 }, (_, i) =>
            newJob({
              queue: 'mixed',
              handler: 'h',
              method: 'm',
              params: [i],
              priority: first.has(i) ? 10 : 0,
              runAt: { delayMs: i === 9 ? 3_600_000 : 0 },
            }),
          ),
        });
        const claimed = await claimAll(4);
        expect(claimed.map((j) => j.params[0])).toEqual([1, 4, 6, 7]);
        const [j1, j4, j6] = claimed;
        await store.jobComplete({
          workerId: worker,
          jobs: [j1!, j6!].map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
        });
        await store.jobFail({
          workerId: worker,
          jobs: [
            {
              id: j4!.id,
              attempt: j4!.attempt,
              error: { attempt: 1, message: 'x', name: 'Error', stack: '', at: '' },
              outcome: { state: 'failed' },
            },
          ],
        });
        const page = async (params: Omit<Parameters<JobStore['jobList']>[0], 'limit'>) => {
          const seen: unknown[] = [];
          let cursor: string | undefined;
          for (;;) {
            const result = await store.jobList({
              limit: 2,
              ...params,
              ...(cursor === undefined ? {} : { cursor }),
            });
            seen.push(...result.jobs.map((j) => j.params[0]));
            if (result.nextCursor === null) return seen;
            cursor = result.nextCursor;
          }
        };
        const all = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0];
        expect(await page({ queues: ['mixed'] })).toEqual(all);
        expect(await page({ queues: ['mixed'], order: 'asc' })).toEqual([...all].reverse());
        expect(await page({ handler: 'h', method: 'm' })).toEqual(all);
        expect(await page({ queues: ['mixed', 'other'], handler: 'h' })).toEqual(all);
        expect(
          await page({
            queues: ['mixed'],
            handler: 'h',
            method: 'm',
            states: ['scheduled', 'failed'],
          }),
        ).toEqual([9, 4]);
        expect(await page({ handler: 'h', states: ['running', 'completed', 'queued'] })).toEqual([
          8, 7, 6, 5, 3, 2, 1, 0,
        ]);
        expect(await page({ queues: ['mixed'], states: ['failed', 'running'] })).toEqual([7, 4]);
        expect(await page({ queues: ['mixed'], states: ['completed'], order: 'asc' })).toEqual([
          1, 6,
        ]);
        expect(inserted).toHaveLength(10);
      });

      it('rejects a cursor it did not hand out', async () => {
        await expect(store.jobList({ limit: 10, cursor: 'not-a-cursor' })).rejects.toMatchObject({
          field: 'cursor',
        });
      });

      it('counts jobs by state and queue', async () => {
        await store.jobInsert({
          jobs: [newJob({ queue: 'a' }), newJob({ queue: 'a' }), newJob({ queue: 'b' })],
        });
        await claimAll(1);
        const counts = await store.jobCount();
        expect(counts.byState.queued + counts.byState.running).toBe(3);
        expect(counts.byState.running).toBe(1);
        const a = counts.byQueue.find((q) => q.queue === 'a');
        expect(a && a.byState.queued + a.byState.running).toBe(2);
        expect((await store.queueList()).map((q) => q.name)).toEqual(['a', 'b']);
      });
    });
  });
}

/** What a store with stats gives `describeJobStatsStoreContract`. */
export interface StatsContractStore extends ContractStore {
  readonly store: JobStore & JobStatsStore;
}

/** The contract of `JobStatsStore`, for stores that implement it besides `JobStore`. */
export function describeJobStatsStoreContract(
  name: string,
  setup: () => Promise<StatsContractStore>,
): void {
  describe(`JobStatsStore contract: ${name}`, () => {
    let ctx: StatsContractStore;
    let store: JobStore & JobStatsStore;
    const worker = 'worker-a';

    beforeEach(async () => {
      ctx = await setup();
      store = ctx.store;
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    /** Inserts `count` jobs, runs them, completes `completed` of them and fails the rest. */
    async function finish(count: number, completed: number, queue = 'default'): Promise<void> {
      await store.jobInsert({
        jobs: Array.from({ length: count }, () => newJob({ queue, maxAttempts: 1 })),
      });
      const jobs = await store.jobClaim({
        workerId: worker,
        queues: [queue],
        limit: count,
        leaseMs: 60_000,
      });
      const at = new Date().toISOString();
      await store.jobComplete({
        workerId: worker,
        jobs: jobs.slice(0, completed).map((j) => ({ id: j.id, attempt: 1, result: null })),
      });
      await store.jobFail({
        workerId: worker,
        jobs: jobs.slice(completed).map((j) => ({
          id: j.id,
          attempt: 1,
          error: { attempt: 1, message: 'x', name: 'Error', at },
          outcome: { state: 'failed' as const },
        })),
      });
    }

    it('counts completed and failed jobs per minute, oldest minute first', async () => {
      await finish(5, 3);
      const series = await store.jobThroughput({ minutes: 60 });
      expect(series).toHaveLength(60);
      const times = series.map((p) => p.at.getTime());
      expect(times).toEqual([...times].sort((x, y) => x - y));
      expect(times[1]! - times[0]!).toBe(60_000);
      const total = series.reduce(
        (sum, p) => ({ completed: sum.completed + p.completed, failed: sum.failed + p.failed }),
        { completed: 0, failed: 0 },
      );
      expect(total).toEqual({ completed: 3, failed: 2 });
      expect(series.at(-1)!.completed + series.at(-2)!.completed).toBe(3);
    });

    it('summarises finished jobs once each, across calls, with cumulative buckets', async () => {
      const bounds = [0.001, 60, 3600];
      const start = await store.jobFinishedSummary({ after: null, lagMs: 0, bounds });
      expect(start.groups).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await finish(3, 2, 'q1');
      await finish(1, 1, 'q2');
      await new Promise((resolve) => setTimeout(resolve, 5));
      const first = await store.jobFinishedSummary({ after: start.until, lagMs: 0, bounds });
      const byKey = Object.fromEntries(first.groups.map((g) => [`${g.queue}/${g.state}`, g]));
      expect(Object.keys(byKey).sort()).toEqual(['q1/completed', 'q1/failed', 'q2/completed']);
      expect(byKey['q1/completed']).toMatchObject({ count: 2 });
      expect(byKey['q1/completed']!.durationBuckets.slice(1)).toEqual([2, 2]);
      expect(byKey['q1/completed']!.waitBuckets.slice(1)).toEqual([2, 2]);
      expect(byKey['q1/failed']).toMatchObject({ count: 1 });
      const again = await store.jobFinishedSummary({ after: first.until, lagMs: 0, bounds });
      expect(again.groups).toEqual([]);
    });

    it('tells how many due jobs wait in each queue and for how long', async () => {
      await store.jobInsert({
        jobs: [
          newJob({ queue: 'a' }),
          newJob({ queue: 'a' }),
          newJob({ queue: 'b', runAt: { delayMs: 3_600_000 } }),
        ],
      });
      const lag = await store.queueLag();
      expect(lag.map((q) => [q.queue, q.due])).toEqual([['a', 2]]);
      expect(lag[0]!.oldestWaitSeconds).toBeGreaterThanOrEqual(0);
      expect(lag[0]!.oldestWaitSeconds).toBeLessThan(60);
    });
  });
}
