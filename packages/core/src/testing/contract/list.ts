import { beforeEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';

/** Listing and counting: filters, cursor pages, state groups merged, counts by state and queue. */
export function describeListContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  describe('list and count', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });
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
}
