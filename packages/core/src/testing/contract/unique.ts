import { beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../job.js';
import type { JobStore, NewJob } from '../../store.js';
import { normalizeUniqueRule } from '../../unique.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';

/** A NewJob with `key` and the rule `uniqueFor` (seconds) / `uniqueStates` make of it. */
function keyed(
  key: string,
  rule: { uniqueFor?: number; uniqueStates?: readonly string[] } = {},
  overrides: Partial<NewJob> = {},
): NewJob {
  const uniqueRule = normalizeUniqueRule(key, rule.uniqueFor, rule.uniqueStates);
  return newJob({
    uniqueKey: key,
    ...(uniqueRule === undefined ? {} : { uniqueRule }),
    ...overrides,
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Unique keys: whether an insert created its job, windows (`uniqueFor`) and counted states. */
export function describeUniqueContract(t: ContractContext): void {
  describe('unique keys', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });

    async function one(job: NewJob) {
      const [inserted] = await store.jobInsert({ jobs: [job] });
      if (inserted === undefined) throw new Error('no job returned');
      return inserted;
    }

    /** Runs `job` to completion (or failure) as the contract's worker. */
    async function finish(job: Job, how: 'complete' | 'fail'): Promise<void> {
      const all = await t.claimAll();
      const claimed = all.find((j) => j.id === job.id);
      expect(claimed).toBeDefined();
      const others = all.filter((j) => j.id !== job.id);
      await store.jobRelease({
        workerId: t.worker,
        jobs: others.map((j) => ({ id: j.id, attempt: j.attempt })),
      });
      const ref = { id: job.id, attempt: claimed?.attempt ?? 1 };
      const done =
        how === 'complete'
          ? await store.jobComplete({ workerId: t.worker, jobs: [{ ...ref, result: null }] })
          : await store.jobFail({
              workerId: t.worker,
              jobs: [
                {
                  ...ref,
                  error: {
                    attempt: ref.attempt,
                    message: 'no',
                    name: 'Error',
                    at: new Date().toISOString(),
                  },
                  outcome: { state: 'failed' },
                },
              ],
            });
      expect(done).toEqual([job.id]);
    }

    it('says created: true for a new job and false with the unchanged holder for a held key', async () => {
      const first = await one(keyed('k', {}, { params: ['first'] }));
      expect(first.created).toBe(true);
      const again = await one(keyed('k', {}, { params: ['second'], priority: 9 }));
      expect(again).toMatchObject({ id: first.id, created: false, params: ['first'], priority: 0 });
      const plain = await one(newJob());
      expect(plain.created).toBe(true);
    });

    it('by default counts unfinished holders only: a completed one frees the key', async () => {
      const first = await one(keyed('k'));
      await finish(first, 'complete');
      const next = await one(keyed('k'));
      expect(next.created).toBe(true);
      expect(next.id).not.toBe(first.id);
    });

    it('counts the listed final states: uniqueStates [completed] holds after completion, not after failure', async () => {
      const done = await one(keyed('done'));
      await finish(done, 'complete');
      expect(await one(keyed('done', { uniqueStates: ['completed'] }))).toMatchObject({
        id: done.id,
        created: false,
        state: 'completed',
      });
      const failed = await one(keyed('failed'));
      await finish(failed, 'fail');
      expect((await one(keyed('failed', { uniqueStates: ['completed'] }))).created).toBe(true);
      const failedToo = await one(keyed('failed-too'));
      await finish(failedToo, 'fail');
      expect(await one(keyed('failed-too', { uniqueStates: ['failed'] }))).toMatchObject({
        id: failedToo.id,
        created: false,
      });
    });

    it('uniqueFor: a finished holder counts inside the window and not after it', async () => {
      const first = await one(keyed('w'));
      await finish(first, 'complete');
      expect(await one(keyed('w', { uniqueFor: 3600 }))).toMatchObject({
        id: first.id,
        created: false,
      });
      await pause(60);
      // 10 ms after its creation the window is over: a new job.
      const later = await one(keyed('w', { uniqueFor: 0.01 }));
      expect(later.created).toBe(true);
      // The new job is unfinished: it holds the key whatever the window.
      await pause(30);
      expect(await one(keyed('w', { uniqueFor: 0.01 }))).toMatchObject({
        id: later.id,
        created: false,
      });
    });

    it('uniqueFor counts cancelled and failed holders only when listed', async () => {
      const first = await one(keyed('c'));
      await store.jobCancel({ ids: [first.id] });
      const fresh = await one(keyed('c', { uniqueFor: 3600 }));
      expect(fresh.created).toBe(true);
      await store.jobCancel({ ids: [fresh.id] });
      expect(await one(keyed('c', { uniqueFor: 3600, uniqueStates: ['cancelled'] }))).toMatchObject(
        { id: fresh.id, created: false, state: 'cancelled' },
      );
    });

    it('answers later jobs of a key in one batch with the first, in input order', async () => {
      const held = await one(keyed('held'));
      const jobs = await store.jobInsert({
        jobs: [
          keyed('a', {}, { params: [0] }),
          newJob({ params: [1] }),
          keyed('a', {}, { params: [2] }),
          keyed('held', {}, { params: [3] }),
          keyed('b', { uniqueFor: 60 }, { params: [4] }),
          keyed('held', {}, { params: [5] }),
        ],
      });
      expect(jobs.map((j) => j.created)).toEqual([true, true, false, false, true, false]);
      expect(jobs[2]?.id).toBe(jobs[0]?.id);
      expect(jobs[3]?.id).toBe(held.id);
      expect(jobs[5]?.id).toBe(held.id);
      expect(jobs.map((j) => j.params[0])).toEqual([0, 1, 0, held.params[0], 4, held.params[0]]);
    });

    it('makes one job of one key however many clients insert it at once', async () => {
      const others = await Promise.all(Array.from({ length: 3 }, () => t.openAnother()));
      try {
        for (const rule of [{}, { uniqueFor: 60 }, { uniqueStates: ['completed'] }]) {
          const key = `race-${JSON.stringify(rule)}`;
          const stores = [store, ...others];
          const answers = (
            await Promise.all(
              stores.flatMap((s) => [0, 1].map(() => s.jobInsert({ jobs: [keyed(key, rule)] }))),
            )
          ).flat();
          expect(answers.filter((j) => j.created)).toHaveLength(1);
          expect(new Set(answers.map((j) => j.id)).size).toBe(1);
        }
      } finally {
        await Promise.all(others.map((s) => s.close()));
      }
    });
  });
}
