import { beforeEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';

/** Progress and log lines from inside a handler, from the attempt that holds the job only. */
export function describeProgressContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  describe('progress and logs', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });
    it('stores progress and keeps the newest log lines', async () => {
      await store.jobInsert({ jobs: [newJob()] });
      const [job] = await claimAll(1);
      const lines = Array.from({ length: 250 }, (_, i) => ({
        at: new Date().toISOString(),
        line: `l${i}`,
      }));
      const ref = { workerId: worker, id: job!.id, attempt: 1 };
      expect(await store.jobProgressSet({ ...ref, progress: 40, logs: lines })).toBe(true);
      expect(
        await store.jobProgressSet({
          ...ref,
          logs: [{ at: new Date().toISOString(), line: 'last' }],
        }),
      ).toBe(true);
      const stored = await store.jobGet({ id: job!.id });
      expect(stored?.progress).toBe(40);
      expect(stored?.logs.length).toBeLessThanOrEqual(200);
      expect(stored?.logs.at(-1)?.line).toBe('last');
      expect(await store.jobProgressSet({ ...ref, workerId: 'other', progress: 50 })).toBe(false);
    });

    it('refuses progress and log lines from an earlier attempt of the same job', async () => {
      await store.jobInsert({ jobs: [newJob({ maxAttempts: 3 })] });
      const [first] = await claimAll(1);
      const at = new Date().toISOString();
      await store.jobFail({
        workerId: worker,
        jobs: [
          {
            id: first!.id,
            attempt: 1,
            error: { attempt: 1, message: 'timed out', name: 'TimeoutError', at },
            outcome: { state: 'retrying', delayMs: 0 },
          },
        ],
      });
      const [second] = await claimAll(1);
      expect(second?.attempt).toBe(2);
      const late = { workerId: worker, id: first!.id, attempt: 1 };
      expect(
        await store.jobProgressSet({ ...late, progress: 99, logs: [{ at, line: 'late' }] }),
      ).toBe(false);
      const stored = await store.jobGet({ id: first!.id });
      expect(stored?.progress).toBeNull();
      expect(stored?.logs).toEqual([]);
      expect(await store.jobProgressSet({ ...late, attempt: 2, logs: [{ at, line: 'now' }] })).toBe(
        true,
      );
    });
  });
}
