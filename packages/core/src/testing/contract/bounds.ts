import { describe, expect, it } from 'vitest';
import { ERRORS_KEPT_FIRST, ERRORS_KEPT_LAST } from '../../job.js';
import type { JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';

const WORKER = 'worker-bounds';

/**
 * The part of the JobStore contract that keeps the store from growing without bound: a job's
 * attempt errors, and queues that exist only because someone named them.
 */
export function describeBoundsContract(t: ContractContext): void {
  describe('bounded errors', () => {
    it('keeps the first and the last attempt errors of a job failed 60 times, counting the rest', async () => {
      const store = t.store();
      const attempts = 60;
      const [inserted] = await store.jobInsert({ jobs: [newJob({ maxAttempts: attempts })] });
      if (inserted === undefined) throw new Error('nothing inserted');
      const long = 'x'.repeat(1000);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const [job] = await store.jobClaim({
          workerId: WORKER,
          queues: null,
          limit: 1,
          leaseMs: 30_000,
        });
        expect(job?.attempt).toBe(attempt);
        const failed = await store.jobFail({
          workerId: WORKER,
          jobs: [
            {
              id: inserted.id,
              attempt,
              error: { attempt, message: `failure ${attempt} ${long}`, name: 'Error', at: 'now' },
              outcome: attempt < attempts ? { state: 'retrying', delayMs: 0 } : { state: 'failed' },
            },
          ],
        });
        expect(failed).toEqual([inserted.id]);
      }
      const stored = await store.jobGet({ id: inserted.id });
      const kept = [
        ...Array.from({ length: ERRORS_KEPT_FIRST }, (_, i) => i + 1),
        ...Array.from({ length: ERRORS_KEPT_LAST }, (_, i) => attempts - ERRORS_KEPT_LAST + 1 + i),
      ];
      expect(stored?.state).toBe('failed');
      expect(stored?.errors.map((e) => e.attempt)).toEqual(kept);
      expect(stored?.errors.map((e) => e.message.split(' ').slice(0, 2).join(' '))).toEqual(
        kept.map((n) => `failure ${n}`),
      );
      expect(stored?.errorsDropped).toBe(attempts - ERRORS_KEPT_FIRST - ERRORS_KEPT_LAST);
      // Bounded by the entries kept, whatever the number of attempts.
      const size = JSON.stringify(stored?.errors).length;
      expect(size).toBeLessThan((ERRORS_KEPT_FIRST + ERRORS_KEPT_LAST) * 1100);
    });

    it('counts nothing dropped while a job has fewer errors than it keeps', async () => {
      const store = t.store();
      const [inserted] = await store.jobInsert({ jobs: [newJob()] });
      expect(inserted?.errorsDropped).toBe(0);
      const [job] = await store.jobClaim({
        workerId: WORKER,
        queues: null,
        limit: 1,
        leaseMs: 30_000,
      });
      if (job === undefined) throw new Error('nothing claimed');
      await store.jobFail({
        workerId: WORKER,
        jobs: [
          {
            id: job.id,
            attempt: 1,
            error: { attempt: 1, message: 'once', name: 'Error', at: 'now' },
            outcome: { state: 'failed' },
          },
        ],
      });
      const stored = await store.jobGet({ id: job.id });
      expect(stored?.errors.map((e) => e.message)).toEqual(['once']);
      expect(stored?.errorsDropped).toBe(0);
    });
  });

  describe('queues named without jobs', () => {
    const names = async (store: JobStore) => (await store.queueList()).map((q) => q.name);

    it('refuses to pause or resume a queue that has no jobs and was never paused', async () => {
      const store = t.store();
      await store.jobInsert({ jobs: [newJob({ queue: 'mail' })] });
      expect(await store.queuePause({ name: 'no-such-queue' })).toBeNull();
      expect(await store.queueResume({ name: 'other-unknown' })).toBeNull();
      expect(await names(store)).toEqual(['mail']);
      // Refused means not created: a later plain pause is refused too.
      expect(await store.queuePause({ name: 'no-such-queue' })).toBeNull();
    });

    it('pauses a queue before its first job when asked to create it, and keeps it paused', async () => {
      const store = t.store();
      expect(await store.queuePause({ name: 'later', create: true })).toEqual({
        name: 'later',
        paused: true,
      });
      expect(await store.queueList()).toEqual([{ name: 'later', paused: true }]);
      await store.jobInsert({ jobs: [newJob({ queue: 'later' })] });
      expect(
        await store.jobClaim({ workerId: WORKER, queues: null, limit: 5, leaseMs: 30_000 }),
      ).toEqual([]);
    });

    it('lists an empty queue only while it is paused', async () => {
      const store = t.store();
      const [busy, emptied] = await store.jobInsert({
        jobs: [newJob({ queue: 'busy' }), newJob({ queue: 'emptied' })],
      });
      expect(await store.jobDelete({ ids: [emptied?.id ?? '0'] })).toBe(1);
      expect(await names(store)).toEqual(['busy']);
      expect(await store.queuePause({ name: 'emptied' })).toEqual({
        name: 'emptied',
        paused: true,
      });
      expect(await names(store)).toEqual(['busy', 'emptied']);
      expect(await store.queueResume({ name: 'emptied' })).toEqual({
        name: 'emptied',
        paused: false,
      });
      expect(await names(store)).toEqual(['busy']);
      // A queue with jobs stays listed, paused or not.
      expect(await store.queueResume({ name: 'busy' })).toEqual({ name: 'busy', paused: false });
      expect(await names(store)).toEqual(['busy']);
      expect((await store.jobGet({ id: busy?.id ?? '0' }))?.queue).toBe('busy');
    });
  });
}
