import { beforeEach, describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../job.js';
import type { JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';

/** Inserting jobs: defaults, order, delays, unique keys, stored options. */
export function describeInsertContract(t: ContractContext): void {
  describe('insert', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });
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
      expect(job?.created).toBe(true);
      expect({ ...(await store.jobGet({ id: job!.id })), created: true }).toEqual(job);
    });

    it('returns many jobs in input order', async () => {
      const input = Array.from({ length: 50 }, (_, i) => newJob({ params: [i], priority: i % 3 }));
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
      expect([first, again, other, sameBatch].map((j) => j?.created)).toEqual([
        true,
        false,
        true,
        false,
      ]);
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
}
