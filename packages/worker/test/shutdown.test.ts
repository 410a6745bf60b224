import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { jobContext } from '../src/context.js';
import { WorkerStoppingError } from '../src/errors.js';
import { getJob, newJob, sleep, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('graceful stop', () => {
  const pg = usePg('shutdown');
  trackWorkers();

  it('lets jobs finish within the grace period', async () => {
    const handlers = defineHandlers({
      work: { run: async (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)) },
    });
    const ids = await pg.insert(
      { handler: 'work', method: 'run', params: [100] },
      { handler: 'work', method: 'run', params: [200] },
    );
    const worker = testWorker({ store: pg.store, handlers });
    await worker.start();
    await waitFor(() => worker.runningCount === 2);
    await worker.stop({ graceMs: 2_000 });
    expect(worker.state).toBe('stopped');
    for (const id of ids) expect((await getJob(pg.other, id)).state).toBe('completed');
  });

  it('aborts jobs still running after the grace period and releases them without counting the attempt', async () => {
    let reason: unknown;
    const handlers = defineHandlers({
      work: {
        async run() {
          const { signal } = jobContext();
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          reason = signal.reason;
          // Ignores the abort for a while: the release must not wait for it.
          await sleep(1_000);
        },
      },
    });
    const ids = await pg.insert(
      { handler: 'work', method: 'run', params: [], maxAttempts: 1 },
      { handler: 'work', method: 'run', params: [], maxAttempts: 1 },
    );
    const released: string[] = [];
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('released', ({ job }) => released.push(job.id));
    await worker.start();
    await waitFor(() => worker.runningCount === 2);
    const at = Date.now();
    await worker.stop({ graceMs: 100 });
    expect(Date.now() - at).toBeLessThan(800);
    expect(reason).toBeInstanceOf(WorkerStoppingError);
    expect(released.sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const job = await getJob(pg.other, id);
      expect(job).toMatchObject({ state: 'queued', attempt: 0, leaseOwner: null, errors: [] });
    }
    // Released jobs run again elsewhere, with their only attempt intact.
    const again = testWorker({
      store: pg.store,
      handlers: defineHandlers({ work: { run: () => 'second time' } }),
    });
    let completed = 0;
    again.events.on('completed', () => completed++);
    await again.start();
    await waitFor(() => completed === 2);
    await again.stop();
  });

  it('stops claiming at once and writes buffered outcomes before it resolves', async () => {
    const handlers = defineHandlers({ work: { run: (n: number) => n } });
    await pg.other.jobInsert({
      jobs: Array.from({ length: 50 }, (_, n) =>
        newJob({ handler: 'work', method: 'run', params: [n] }),
      ),
    });
    let completed = 0;
    const worker = testWorker({
      store: pg.store,
      handlers,
      concurrency: 5,
      flushIntervalMs: 1_000,
    });
    worker.events.on('completed', () => completed++);
    await worker.start();
    await waitFor(() => worker.runningCount > 0 || completed > 0);
    await worker.stop();
    const counts = await pg.other.jobCount();
    expect(counts.byState.running).toBe(0);
    expect(counts.byState.completed).toBe(completed);
    expect(counts.byState.queued).toBe(50 - completed);
  });
});
