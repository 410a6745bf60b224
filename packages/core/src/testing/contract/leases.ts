import { beforeEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';
import { sleep } from './wait.js';

/** Leases: renewal by the attempt that holds one, and the rescue of expired ones. */
export function describeLeaseContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  describe('leases', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });
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
}
