import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { jobContext } from '../src/context.js';
import { JobCancelledError, LeaseLostError } from '../src/errors.js';
import type { CancelReason } from '../src/types.js';
import { flakyStore } from './fake-store.js';
import { getJob, sleep, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('cancellation', () => {
  const pg = usePg('cancel');
  trackWorkers();

  it('never runs a queued or scheduled job cancelled before a worker claims it', async () => {
    let ran = 0;
    const handlers = defineHandlers({ work: { run: () => ran++ } });
    const ids = await pg.insert(
      { handler: 'work', method: 'run', params: [] },
      { handler: 'work', method: 'run', params: [], runAt: { delayMs: 200 } },
    );
    await pg.other.jobCancel({ ids });
    const worker = testWorker({ store: pg.store, handlers });
    await worker.start();
    await sleep(400);
    await worker.stop();
    expect(ran).toBe(0);
    for (const id of ids) expect((await getJob(pg.other, id)).state).toBe('cancelled');
  });

  it('aborts a running job cancelled from another connection, records nothing for it', async () => {
    let reason: unknown;
    const handlers = defineHandlers({
      work: {
        async run() {
          const { signal } = jobContext();
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          reason = signal.reason;
          return 'finished anyway';
        },
      },
    });
    const [id = ''] = await pg.insert({ handler: 'work', method: 'run', params: [] });
    const cancelled: CancelReason[] = [];
    let recorded = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('cancelled', (e) => cancelled.push(e.reason));
    worker.events.on('completed', () => recorded++);
    worker.events.on('failed', () => recorded++);
    await worker.start();
    await waitFor(() => worker.runningCount === 1);
    const at = Date.now();
    await pg.other.jobCancel({ ids: [id] });
    await waitFor(() => cancelled.length === 1, 2_000);
    expect(Date.now() - at).toBeLessThan(1_000);
    await worker.stop();
    expect(cancelled).toEqual(['cancelled']);
    expect(reason).toBeInstanceOf(JobCancelledError);
    expect(recorded).toBe(0);
    const job = await getJob(pg.other, id);
    expect(job.state).toBe('cancelled');
    expect(job.result).toBeNull();
    expect(job.errors).toEqual([]);
  });

  it('aborts a running job when the heartbeat finds its lease gone (no notification heard)', async () => {
    let reason: unknown;
    const handlers = defineHandlers({
      work: {
        async run() {
          const { signal } = jobContext();
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          reason = signal.reason;
        },
      },
    });
    // A store whose notifications never arrive: only the heartbeat can tell.
    const deaf = flakyStore(pg.store, (method) => method === 'eventListen');
    const [id = ''] = await pg.insert({ handler: 'work', method: 'run', params: [] });
    const cancelled: CancelReason[] = [];
    const worker = testWorker({ store: deaf, handlers, leaseMs: 300 });
    worker.events.on('cancelled', (e) => cancelled.push(e.reason));
    await worker.start();
    await waitFor(() => worker.runningCount === 1);
    await pg.other.jobCancel({ ids: [id] });
    await waitFor(() => cancelled.length === 1, 2_000);
    await worker.stop();
    expect(cancelled).toEqual(['lease-lost']);
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect((await getJob(pg.other, id)).state).toBe('cancelled');
  });
});
