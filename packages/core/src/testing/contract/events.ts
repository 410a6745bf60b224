import { beforeEach, describe, expect, it } from 'vitest';
import type { JobStore, StoreEvent } from '../../store.js';
import { newJob } from '../new-job.js';
import type { ContractContext } from './context.js';
import { waitFor } from './wait.js';

/** Change events: what happened to which jobs, told to listeners on another client. */
export function describeEventContract(t: ContractContext): void {
  const { worker, claimAll } = t;
  describe('change events', () => {
    let store: JobStore;
    beforeEach(() => {
      store = t.store();
    });
    it('tells listeners what happened to which jobs, with their new state', async () => {
      const events: StoreEvent[] = [];
      const other = await t.openAnother();
      const stop = await other.eventListen((e) => events.push(e));
      const seen = () =>
        events.flatMap((e) =>
          e.type === 'changed' ? e.ids.map((id) => `${id} ${e.change} ${e.state}`) : [],
        );
      try {
        const [a, b, c] = await store.jobInsert({
          jobs: [newJob({ priority: 2 }), newJob({ priority: 1, maxAttempts: 1 }), newJob()],
        });
        await claimAll(2);
        const at = new Date().toISOString();
        await store.jobProgressSet({ workerId: worker, id: a!.id, attempt: 1, progress: 1 });
        await store.jobComplete({
          workerId: worker,
          jobs: [{ id: a!.id, attempt: 1, result: 1 }],
        });
        await store.jobFail({
          workerId: worker,
          jobs: [
            {
              id: b!.id,
              attempt: 1,
              error: { attempt: 1, message: 'x', name: 'Error', at },
              outcome: { state: 'failed' },
            },
          ],
        });
        await store.jobRetry({ ids: [b!.id] });
        await store.jobCancel({ ids: [c!.id] });
        await store.jobDelete({ ids: [c!.id] });
        const expected = [
          `${a!.id} created queued`,
          `${b!.id} created queued`,
          `${c!.id} created queued`,
          `${a!.id} started running`,
          `${b!.id} started running`,
          `${a!.id} progress running`,
          `${a!.id} completed completed`,
          `${b!.id} failed failed`,
          `${b!.id} retried queued`,
          `${c!.id} cancelled cancelled`,
          `${c!.id} deleted cancelled`,
        ];
        await waitFor(() => seen().length >= expected.length);
        expect(seen().sort()).toEqual(expected.sort());
      } finally {
        await stop();
        await other.close();
      }
    });
  });
}
