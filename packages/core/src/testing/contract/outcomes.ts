import { beforeEach, describe, expect, it } from 'vitest';
import { StoreRejectedError } from '../../errors.js';
import type { Job } from '../../job.js';
import type { JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';

/** Ending an attempt: completion, failure, release, and outcomes PostgreSQL cannot hold. */
export function describeOutcomeContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  let store: JobStore;
  describe('complete and fail', () => {
    beforeEach(() => {
      store = t.store();
    });
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
        jobs: [{ id: job.id, attempt: 1, error, outcome: { state: 'retrying', delayMs: 60_000 } }],
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
    beforeEach(() => {
      store = t.store();
    });

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
}
