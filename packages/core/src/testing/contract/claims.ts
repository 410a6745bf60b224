import { beforeEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';
import { sleep } from './wait.js';

/** Claiming jobs: order, leases, due times, paused and chosen queues, the limit. */
export function describeClaimContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  describe('claim', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });
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
}
