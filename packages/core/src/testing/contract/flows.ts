import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import type { NewDependency } from '../../flow.js';
import type { Job } from '../../job.js';
import type { JobStore, NewJob } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';

/**
 * Flows, for stores that hold dependencies (`flowInsert`): a job waits until its dependencies
 * complete, follows its policy when one fails, and reads their results. Skipped otherwise.
 */
export function describeFlowContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  describe('flows', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });

    async function insert(jobs: NewJob[], dependencies: NewDependency[]): Promise<Job[]> {
      if (store.flowInsert === undefined) throw new Error('no flowInsert');
      return store.flowInsert({ jobs, keys: jobs.map((_, i) => `k${i}`), dependencies });
    }
    const edge = (job: number, on: number, policy: 'cancel' | 'run' = 'cancel'): NewDependency => ({
      job,
      on: { index: on },
      policy,
    });
    async function finish(jobs: readonly Job[], how: 'complete' | 'fail'): Promise<void> {
      if (how === 'complete') {
        await store.jobComplete({
          workerId: worker,
          jobs: jobs.map((j) => ({ id: j.id, attempt: j.attempt, result: { done: j.id } })),
        });
      } else {
        await store.jobFail({
          workerId: worker,
          jobs: jobs.map((j) => ({
            id: j.id,
            attempt: j.attempt,
            error: {
              attempt: j.attempt,
              message: 'no',
              name: 'Error',
              at: new Date().toISOString(),
            },
            outcome: { state: 'failed' },
          })),
        });
      }
    }

    it('runs a diamond in order: the last job becomes claimable when both of its dependencies completed', async (ctx) => {
      if (store.flowInsert === undefined) return ctx.skip();
      const [a, b, c, d] = await insert(
        [newJob(), newJob(), newJob(), newJob()],
        [edge(1, 0), edge(2, 0), edge(3, 1), edge(3, 2)],
      );
      expect([a, b, c, d].map((j) => j?.state)).toEqual([
        'queued',
        'waiting',
        'waiting',
        'waiting',
      ]);
      await finish(await claimAll(), 'complete');
      const middle = await claimAll();
      expect(middle.map((j) => j.id).sort()).toEqual([b!.id, c!.id].sort());
      await finish(middle.slice(0, 1), 'complete');
      expect(await claimAll()).toEqual([]);
      await finish(middle.slice(1), 'complete');
      const last = await claimAll();
      expect(last.map((j) => j.id)).toEqual([d!.id]);
      const parents = await store.dependencyList?.({ id: d!.id });
      expect(parents?.map((p) => [p.id, p.key, p.result])).toEqual([
        [b!.id, 'k1', { done: b!.id }],
        [c!.id, 'k2', { done: c!.id }],
      ]);
    });

    it('cancels a dependent of a failed job, runs one with the run policy, and re-arms on a hand retry', async (ctx) => {
      if (store.flowInsert === undefined) return ctx.skip();
      const [, cancels, runs] = await insert(
        [newJob({ maxAttempts: 1 }), newJob(), newJob()],
        [edge(1, 0), edge(2, 0, 'run')],
      );
      await finish(await claimAll(), 'fail');
      expect((await store.jobGet({ id: cancels!.id }))?.state).toBe('cancelled');
      expect((await claimAll()).map((j) => j.id)).toEqual([runs!.id]);
      const [first] = await store.jobList({ states: ['failed'], limit: 1 }).then((p) => p.jobs);
      await store.jobRetry({ ids: [first!.id] });
      expect((await store.jobGet({ id: cancels!.id }))?.state).toBe('waiting');
    });

    it('refuses a dependency on a job that does not exist, naming it, and inserts nothing', async (ctx) => {
      if (store.flowInsert === undefined) return ctx.skip();
      const error = await store
        .flowInsert({
          jobs: [newJob(), newJob()],
          keys: [null, null],
          dependencies: [edge(1, 0), { job: 1, on: { id: '987654321' }, policy: 'cancel' }],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('dependencies.1');
      expect((await store.jobList({ limit: 10 })).jobs).toEqual([]);
    });
  });
}
