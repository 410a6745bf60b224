import { beforeEach, describe, expect, it } from 'vitest';
import type { JobStore, StoreEvent } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';
import { waitFor } from './wait.js';

/** What people and programs do to jobs: cancel, retry now, delete. */
export function describeManageContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  describe('cancel, retry, delete', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });
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
      const other = await t.openAnother();
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
      const other = await t.openAnother();
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
}
