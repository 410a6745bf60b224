import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobStatsStore, JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractStore } from './context.js';

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
