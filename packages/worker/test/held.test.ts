import { defineHandlers, type Job } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { jobContext } from '../src/context.js';
import { flakyStore } from './fake-store.js';
import { getJob, sleep, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Runs `leaseRescue` as another process would, every `everyMs`, until `stop` is called. */
function rescuer(pg: ReturnType<typeof usePg>, everyMs: number): { stop: () => Promise<Job[]> } {
  const rescued: Job[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      rescued.push(...(await pg.other.leaseRescue({ limit: 100, random: () => 0 })));
      await sleep(everyMs);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return rescued;
    },
  };
}

describe('every attempt a worker holds keeps its lease until the store has it back', () => {
  trackWorkers();
  const pg = usePg('held');

  it('a graceful stop hands prefetched jobs back without burning their attempt, however long the grace', async () => {
    const calls: string[] = [];
    const slow = gate();
    const handlers = defineHandlers({
      work: {
        async run(name: string) {
          calls.push(name);
          if (name === 'slow') await slow.promise;
        },
      },
    });
    const [slowId = ''] = await pg.insert({
      handler: 'work',
      method: 'run',
      params: ['slow'],
      priority: 10,
      maxAttempts: 1,
    });
    const waiting = await pg.insert(
      { handler: 'work', method: 'run', params: ['a'], maxAttempts: 1 },
      { handler: 'work', method: 'run', params: ['b'], maxAttempts: 1 },
    );
    const worker = testWorker({
      store: pg.store,
      handlers,
      concurrency: 1,
      prefetch: 2,
      leaseMs: 1_000,
    });
    await worker.start();
    await waitFor(() => calls.length === 1);
    for (const id of waiting) expect((await getJob(pg.other, id)).state).toBe('running');
    const rescue = rescuer(pg, 100);
    // The grace is longer than a lease: the prefetched jobs must not wait for it unrenewed.
    const stopped = worker.stop({ graceMs: 10_000 });
    await sleep(2_500);
    slow.open();
    await stopped;
    const rescued = await rescue.stop();
    expect(rescued.map((job) => job.id)).toEqual([]);
    expect(calls).toEqual(['slow']);
    expect((await getJob(pg.other, slowId)).state).toBe('completed');
    for (const id of waiting) {
      const job = await getJob(pg.other, id);
      expect(job).toMatchObject({ state: 'queued', attempt: 0, errors: [], leaseOwner: null });
    }
  });

  it('tells apart two attempts of one job: the cancelled one stops, the new one keeps its lease', async () => {
    const gates = new Map<number, ReturnType<typeof gate>>([
      [1, gate()],
      [2, gate()],
    ]);
    const aborted: number[] = [];
    const ran: number[] = [];
    const handlers = defineHandlers({
      work: {
        async run() {
          const { attempt, signal } = jobContext();
          ran.push(attempt);
          signal.addEventListener('abort', () => aborted.push(attempt));
          // Ignores its signal, as a careless handler would: it ends when the test says.
          await gates.get(attempt)?.promise;
          return `attempt ${attempt}`;
        },
      },
    });
    // A store whose notifications never arrive: cancels are learned from the heartbeat only.
    const deaf = flakyStore(pg.store, (method) => method === 'eventListen');
    const [id = ''] = await pg.insert({
      handler: 'work',
      method: 'run',
      params: [],
      maxAttempts: 3,
    });
    const worker = testWorker({
      store: deaf,
      handlers,
      concurrency: 2,
      leaseMs: 1_500,
      pollIntervalMs: 10,
    });
    await worker.start();
    await waitFor(() => ran.length === 1);
    // Cancelled and retried from elsewhere before the heartbeat looks: the worker claims the
    // job again while its first attempt still runs.
    await pg.other.jobCancel({ ids: [id] });
    await pg.other.jobRetry({ ids: [id] });
    await waitFor(() => ran.length === 2, 2_000, 'the second attempt to start');
    expect(ran).toEqual([1, 2]);
    await waitFor(() => aborted.includes(1), 2_000, 'the first attempt to be stopped');
    const rescue = rescuer(pg, 100);
    gates.get(1)?.open();
    // Three leases long: the second attempt must be renewed all along.
    await sleep(4_500);
    expect(await rescue.stop()).toEqual([]);
    const running = await getJob(pg.other, id);
    expect(running).toMatchObject({ state: 'running', attempt: 2, leaseOwner: worker.id });
    gates.get(2)?.open();
    await waitFor(async () => (await getJob(pg.other, id)).state === 'completed', 3_000);
    await worker.stop();
    const done = await getJob(pg.other, id);
    expect(done).toMatchObject({ state: 'completed', attempt: 2, result: 'attempt 2', errors: [] });
    expect(aborted).toEqual([1]);
    expect(ran).toEqual([1, 2]);
  });

  it('keeps renewing a job whose outcome write hangs', async () => {
    let hang = true;
    const ran: string[] = [];
    const handlers = defineHandlers({
      work: {
        run() {
          ran.push(jobContext().id);
          return 'done';
        },
      },
    });
    const slowWrites = new Proxy(pg.store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== 'jobComplete' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          while (hang) await sleep(20);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const [id = ''] = await pg.insert({
      handler: 'work',
      method: 'run',
      params: [],
      maxAttempts: 2,
    });
    const worker = testWorker({ store: slowWrites, handlers, leaseMs: 900 });
    await worker.start();
    await waitFor(() => ran.length === 1);
    const rescue = rescuer(pg, 100);
    await sleep(3_000);
    expect(await rescue.stop()).toEqual([]);
    hang = false;
    await waitFor(async () => (await getJob(pg.other, id)).state === 'completed', 3_000);
    await worker.stop();
    expect(await getJob(pg.other, id)).toMatchObject({
      state: 'completed',
      attempt: 1,
      errors: [],
    });
    expect(ran).toEqual([id]);
  });

  it('stores no progress or log line from an attempt that timed out into the next one', async () => {
    const late = gate();
    const handlers = defineHandlers({
      work: {
        async run() {
          const context = jobContext();
          if (context.attempt === 1) {
            // Times out, then goes on reporting while the next attempt runs.
            await late.promise;
            context.log('late line of attempt 1');
            context.progress({ from: 1 });
            return 'too late';
          }
          context.log('line of attempt 2');
          await sleep(50);
          return 'second';
        },
      },
    });
    const [id = ''] = await pg.insert({
      handler: 'work',
      method: 'run',
      params: [],
      maxAttempts: 2,
      timeoutMs: 100,
      backoff: { kind: 'fixed', delayMs: 0 },
    });
    const worker = testWorker({ store: pg.store, handlers, concurrency: 2 });
    await worker.start();
    await waitFor(async () => (await getJob(pg.other, id)).attempt === 2, 3_000);
    late.open();
    await waitFor(async () => (await getJob(pg.other, id)).state === 'completed', 3_000);
    await sleep(100);
    await worker.stop();
    const job = await getJob(pg.other, id);
    expect(job.result).toBe('second');
    expect(job.logs.map((line) => line.line)).toEqual(['line of attempt 2']);
    expect(job.progress).toBeNull();
  });
});
