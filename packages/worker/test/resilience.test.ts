import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { createFakeStore, flakyStore } from './fake-store.js';
import { newJob, sleep, testWorker, trackWorkers, waitFor } from './helpers.js';

/** A promise with its resolve function, to hold handlers until the test lets them go. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('a worker whose store fails for a while', () => {
  trackWorkers();

  it('keeps finished jobs buffered while the store is down and records each once it is back', async () => {
    const fake = createFakeStore();
    let down = false;
    const store = flakyStore(fake, () => down);
    const hold = gate();
    const handlers = defineHandlers({
      work: {
        async run(n: number) {
          await hold.opened;
          if (n % 5 === 0) throw new Error(`job ${n} failed`);
          return n * 2;
        },
      },
    });
    await fake.jobInsert({
      jobs: Array.from({ length: 20 }, (_, n) =>
        newJob({ handler: 'work', method: 'run', params: [n], maxAttempts: 1 }),
      ),
    });
    const errors: string[] = [];
    const worker = testWorker({ store, handlers, concurrency: 20, leaseMs: 300 });
    worker.events.on('error', ({ source }) => errors.push(source));
    let completed = 0;
    let failed = 0;
    worker.events.on('completed', () => completed++);
    worker.events.on('failed', () => failed++);
    await worker.start();
    await waitFor(() => worker.runningCount === 20, 2_000, 'all 20 jobs running');

    down = true;
    hold.open();
    await waitFor(
      () => errors.includes('flush') && errors.includes('renew'),
      3_000,
      'flush and renew errors',
    );
    await sleep(100);
    expect(completed + failed).toBe(0);

    down = false;
    await waitFor(() => completed + failed === 20, 3_000, 'every outcome recorded');
    await worker.stop();
    expect(completed).toBe(16);
    expect(failed).toBe(4);
    expect([...new Set(fake.completedIds)]).toHaveLength(fake.completedIds.length);
    const states = [...fake.jobs.values()].map((j) => j.state);
    expect(states.filter((s) => s === 'completed')).toHaveLength(16);
    expect(states.filter((s) => s === 'failed')).toHaveLength(4);
  });

  it('never crashes while claims fail, and claims again once the store is back', async () => {
    const fake = createFakeStore();
    let down = true;
    const store = flakyStore(fake, () => down);
    const handlers = defineHandlers({ work: { run: () => 'ok' } });
    const worker = testWorker({ store, handlers });
    const errors: string[] = [];
    worker.events.on('error', ({ source }) => errors.push(source));
    await worker.start();
    await fake.jobInsert({ jobs: [newJob({ handler: 'work', method: 'run', params: [] })] });
    await waitFor(
      () => errors.filter((s) => s === 'claim').length >= 3,
      3_000,
      'repeated claim errors',
    );
    expect(errors).toContain('listen');
    down = false;
    await waitFor(
      async () => (await fake.jobGet({ id: '1' }))?.state === 'completed',
      3_000,
      'the job completed',
    );
    await worker.stop();
  });

  it('stops claiming while it cannot renew its leases, and resumes once a renew succeeds', async () => {
    const fake = createFakeStore();
    let renewDown = false;
    const store = flakyStore(fake, (method) => renewDown && method === 'leaseRenew');
    const hold = gate();
    const handlers = defineHandlers({
      work: {
        async block() {
          await hold.opened;
        },
        quick: () => 'done',
      },
    });
    await fake.jobInsert({ jobs: [newJob({ handler: 'work', method: 'block', params: [] })] });
    const worker = testWorker({ store, handlers, concurrency: 4, leaseMs: 150 });
    const renewErrors: unknown[] = [];
    worker.events.on('error', ({ source, error }) => {
      if (source === 'renew') renewErrors.push(error);
    });
    await worker.start();
    await waitFor(() => worker.runningCount === 1, 2_000, 'the blocking job running');
    renewDown = true;
    await waitFor(() => renewErrors.length > 0, 2_000, 'a failed renew');
    await fake.jobInsert({ jobs: [newJob({ handler: 'work', method: 'quick', params: [] })] });
    await sleep(300);
    expect(fake.jobs.get('2')?.state).toBe('queued');
    renewDown = false;
    await waitFor(
      () => fake.jobs.get('2')?.state === 'completed',
      2_000,
      'the second job completed',
    );
    hold.open();
    await worker.stop();
    expect(fake.jobs.get('1')?.state).toBe('completed');
  });
});
