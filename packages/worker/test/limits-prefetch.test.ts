import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { sleep, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('a worker with prefetch and limited queues', () => {
  const pg = usePg('limits_prefetch');
  trackWorkers();

  it('holds no limited job it cannot start: limited jobs never go into the local queue', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let started = 0;
    const handlers = defineHandlers({
      work: {
        async run() {
          started += 1;
          await gate;
        },
      },
    });
    await pg.other.queueLimitsSet({ name: 'limited', limits: { concurrency: 10 } });
    await pg.insert(
      ...Array.from({ length: 10 }, () => ({
        queue: 'limited',
        handler: 'work',
        method: 'run',
        params: [],
      })),
      ...Array.from({ length: 3 }, () => ({
        queue: 'keyed',
        handler: 'work',
        method: 'run',
        params: [],
        concurrencyKey: 'k1',
      })),
    );
    const worker = testWorker({ store: pg.store, handlers, concurrency: 2, prefetch: 8 });
    await worker.start();
    await waitFor(async () => (started === 2 ? true : null), 5_000, 'two started');
    await sleep(300);
    // The queue's limit (10) and the prefetch room (8) would allow more: only the 2 run slots count.
    const running = await pg.other.connection.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM jobs WHERE state = 'running'`;
    expect(running[0]?.n).toBe(2);
    expect(started).toBe(2);
    open();
    await waitFor(
      async () => ((await pg.other.jobCount()).byState.completed === 13 ? true : null),
      10_000,
      'all done',
    );
    await worker.stop();
  });
});
