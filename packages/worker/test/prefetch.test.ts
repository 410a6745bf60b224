import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { getJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('prefetch (a local queue of claimed jobs)', () => {
  const pg = usePg('prefetch');
  trackWorkers();

  const gate = () => {
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    return { opened, open };
  };

  it('claims beyond the free slots, never runs more than the concurrency, and runs them all', async () => {
    let running = 0;
    let peak = 0;
    const handlers = defineHandlers({
      work: {
        async run() {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running -= 1;
        },
      },
    });
    const ids = await pg.insert(
      ...Array.from({ length: 60 }, () => ({ handler: 'work', method: 'run', params: [] })),
    );
    const worker = testWorker({ store: pg.store, handlers, concurrency: 2, prefetch: 10 });
    await worker.start();
    await waitFor(async () => (await pg.other.jobCount()).byState.completed === 60, 10_000);
    await worker.stop();
    expect(peak).toBe(2);
    // Claims of up to 12 (2 slots + 10 held) share one started_at each: fewer claims than jobs / 2.
    const [row] = await pg.other.connection.sql<{ claims: number }[]>`
      SELECT count(DISTINCT started_at)::int AS claims FROM jobs`;
    expect(row!.claims).toBeLessThan(30);
    for (const id of ids) expect((await getJob(pg.other, id)).attempt).toBe(1);
  });

  it('claims again only when the local queue is down to its refill point, not a few jobs at a time', async () => {
    let ran = 0;
    const handlers = defineHandlers({
      work: {
        run() {
          ran += 1;
        },
      },
    });
    await pg.insert(
      ...Array.from({ length: 400 }, () => ({ handler: 'work', method: 'run', params: [] })),
    );
    // Every claim that found jobs, with what the worker held when it asked.
    const claims: { limit: number; got: number }[] = [];
    const store = Object.create(pg.store) as typeof pg.store;
    store.jobClaim = async (params) => {
      const jobs = await pg.store.jobClaim(params);
      if (jobs.length > 0) claims.push({ limit: params.limit, got: jobs.length });
      return jobs;
    };
    const worker = testWorker({ store, handlers, concurrency: 4, prefetch: 40 });
    await worker.start();
    await waitFor(async () => (await pg.other.jobCount()).byState.completed === 400, 10_000);
    await worker.stop();
    expect(ran).toBe(400);
    // Refill point 30 of 40: each claim asks for at least the 10 jobs above it (the last ones
    // may find fewer), so 400 jobs take at most 40 claims. Claiming whatever a few finished
    // jobs freed, as soon as a claim came back, took one claim per job or two.
    expect(
      claims.every(({ limit }) => limit >= 10),
      JSON.stringify(claims),
    ).toBe(true);
    expect(claims.length).toBeLessThanOrEqual(40);
  });

  it('releases held jobs on stop without counting their claim as an attempt', async () => {
    const { opened, open } = gate();
    const handlers = defineHandlers({ work: { run: () => opened } });
    await pg.insert(
      ...Array.from({ length: 6 }, () => ({ handler: 'work', method: 'run', params: [] })),
    );
    const released: string[] = [];
    const worker = testWorker({ store: pg.store, handlers, concurrency: 1, prefetch: 5 });
    worker.events.on('released', ({ job }) => released.push(job.id));
    await worker.start();
    await waitFor(async () => (await pg.other.jobCount()).byState.running === 6);
    const stopping = worker.stop({ graceMs: 2_000 });
    open();
    await stopping;
    const counts = (await pg.other.jobCount()).byState;
    expect(counts).toMatchObject({ completed: 1, queued: 5, running: 0 });
    expect(released).toHaveLength(5);
    const page = await pg.other.jobList({ limit: 10, states: ['queued'] });
    expect(page.jobs.every((j) => j.attempt === 0 && j.leaseOwner === null)).toBe(true);
  });

  it('drops a held job that is cancelled, and never runs it', async () => {
    const { opened, open } = gate();
    const ran: number[] = [];
    const handlers = defineHandlers({
      work: {
        async run(n: number) {
          ran.push(n);
          if (n === 0) await opened;
        },
      },
    });
    const [first, held] = await pg.insert(
      { handler: 'work', method: 'run', params: [0], priority: 2 },
      { handler: 'work', method: 'run', params: [1], priority: 1 },
    );
    const cancelled: string[] = [];
    const worker = testWorker({ store: pg.store, handlers, concurrency: 1, prefetch: 3 });
    worker.events.on('cancelled', ({ job }) => cancelled.push(job.id));
    await worker.start();
    await waitFor(async () => (await getJob(pg.other, held!)).state === 'running');
    await pg.other.jobCancel({ ids: [held!] });
    await waitFor(() => cancelled.includes(held!));
    open();
    await waitFor(async () => (await getJob(pg.other, first!)).state === 'completed');
    await worker.stop();
    expect(ran).toEqual([0]);
    expect((await getJob(pg.other, held!)).state).toBe('cancelled');
  });

  it('refuses prefetch together with per-queue limits', () => {
    expect(() =>
      testWorker({
        store: pg.store,
        handlers: defineHandlers({ w: { r() {} } }),
        prefetch: 2,
        queueConcurrency: { a: 1 },
      }),
    ).toThrow(/prefetch/);
  });
  it('lets the event loop turn between handlers that block, one pass of free slots at a time', async () => {
    // Each handler blocks the thread for 15 ms. Ten of them claimed together used to run back to
    // back in one turn of the event loop (150 ms in which no timer, lease renewal or answer from
    // the database could be served); now each pass starts what the free slots take and yields.
    const blockMs = 15;
    const ticksAtStart: number[] = [];
    let ticks = 0;
    const handlers = defineHandlers({
      work: {
        run() {
          ticksAtStart.push(ticks);
          const until = performance.now() + blockMs;
          while (performance.now() < until) {
            // block the thread, as a CPU-bound handler does
          }
        },
      },
    });
    await pg.insert(
      ...Array.from({ length: 10 }, () => ({ handler: 'work', method: 'run', params: [] })),
    );
    const claims: number[] = [];
    const store = Object.create(pg.store) as typeof pg.store;
    store.jobClaim = async (params) => {
      const jobs = await pg.store.jobClaim(params);
      if (jobs.length > 0) claims.push(jobs.length);
      return jobs;
    };
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    try {
      const worker = testWorker({ store, handlers, concurrency: 1, prefetch: 20 });
      await worker.start();
      await waitFor(async () => (await pg.other.jobCount()).byState.completed === 10, 10_000);
      await worker.stop();
    } finally {
      clearInterval(timer);
    }
    // All ten came in one claim, so only the executor decides when they run.
    expect(claims).toEqual([10]);
    expect(ticksAtStart).toHaveLength(10);
    // The timer fired between every two handlers: each started after a later turn of the loop.
    for (let i = 1; i < ticksAtStart.length; i++) {
      expect(ticksAtStart[i], `handler ${i}`).toBeGreaterThan(ticksAtStart[i - 1] as number);
    }
  });
});
