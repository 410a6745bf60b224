import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { newJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('claim order, end to end', () => {
  const pg = usePg('order');
  trackWorkers();

  it('runs due jobs by priority, then run time, then id, and delayed jobs only once due', async () => {
    const ran: { name: string; at: number }[] = [];
    const handlers = defineHandlers({
      rec: {
        run(name: string) {
          ran.push({ name, at: Date.now() });
        },
      },
    });
    const job = (name: string, priority: number, delayMs = 0) =>
      newJob({ handler: 'rec', method: 'run', params: [name], priority, runAt: { delayMs } });
    const inserted = Date.now();
    await pg.other.jobInsert({
      jobs: [
        job('low', -5),
        job('delayed-top', 100, 600),
        job('mid-1', 5),
        job('top', 50),
        job('mid-2', 5),
        job('zero', 0),
      ],
    });
    const worker = testWorker({ store: pg.store, handlers, concurrency: 1 });
    await worker.start();
    await waitFor(() => ran.length === 6, 5_000, 'all six jobs ran');
    await worker.stop();
    expect(ran.map((r) => r.name)).toEqual(['top', 'mid-1', 'mid-2', 'zero', 'low', 'delayed-top']);
    const delayed = ran.find((r) => r.name === 'delayed-top');
    expect(delayed?.at ?? 0).toBeGreaterThanOrEqual(inserted + 550);
  });

  it('wakes on an insert notification instead of waiting for the next poll', async () => {
    const ran: number[] = [];
    const handlers = defineHandlers({ rec: { run: () => ran.push(Date.now()) } });
    const worker = testWorker({ store: pg.store, handlers, pollIntervalMs: 60_000 });
    await worker.start();
    const before = Date.now();
    await pg.insert({ handler: 'rec', method: 'run', params: [] });
    await waitFor(() => ran.length === 1, 3_000, 'the job ran');
    // The poll is a minute away: only the notification can explain a start this soon.
    expect((ran[0] ?? 0) - before).toBeLessThan(3_000);
    await worker.stop();
  });

  it('claims again at once while batches come back full, never beyond the concurrency', async () => {
    let running = 0;
    let peak = 0;
    const handlers = defineHandlers({
      rec: {
        async run() {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        },
      },
    });
    await pg.other.jobInsert({
      jobs: Array.from({ length: 200 }, () =>
        newJob({ handler: 'rec', method: 'run', params: [] }),
      ),
    });
    const completed: string[] = [];
    const worker = testWorker({
      store: pg.store,
      handlers,
      concurrency: 8,
      batchSize: 4,
      pollIntervalMs: 60_000,
    });
    worker.events.on('completed', ({ job }) => completed.push(job.id));
    await worker.start();
    await waitFor(() => completed.length === 200, 10_000, 'all 200 jobs completed');
    await worker.stop();
    expect(peak).toBeLessThanOrEqual(8);
    expect(new Set(completed).size).toBe(200);
    const counts = await pg.other.jobCount();
    expect(counts.byState.completed).toBe(200);
  });

  it('keeps each queue within its own limit', async () => {
    const current = new Map<string, number>();
    const peak = new Map<string, number>();
    const handlers = defineHandlers({
      rec: {
        async run(queue: string) {
          current.set(queue, (current.get(queue) ?? 0) + 1);
          peak.set(queue, Math.max(peak.get(queue) ?? 0, current.get(queue) ?? 0));
          await new Promise((r) => setTimeout(r, 20));
          current.set(queue, (current.get(queue) ?? 0) - 1);
        },
      },
    });
    await pg.other.jobInsert({
      jobs: ['slow', 'fast'].flatMap((queue) =>
        Array.from({ length: 12 }, () =>
          newJob({ queue, handler: 'rec', method: 'run', params: [queue] }),
        ),
      ),
    });
    let done = 0;
    const worker = testWorker({
      store: pg.store,
      handlers,
      concurrency: 6,
      queueConcurrency: { slow: 1 },
    });
    worker.events.on('completed', () => done++);
    await worker.start();
    await waitFor(() => done === 24, 10_000, 'all 24 jobs completed');
    await worker.stop();
    expect(peak.get('slow')).toBe(1);
    expect(peak.get('fast')).toBeGreaterThan(1);
  });
  it('keeps a queue within its own limit when the worker serves a list of queues', async () => {
    // With a list, no look-up of the queues comes between two claims: a claim planned before
    // the last one's jobs had started would find the queue's slot free again.
    let current = 0;
    let peak = 0;
    const handlers = defineHandlers({
      rec: {
        async run() {
          current += 1;
          peak = Math.max(peak, current);
          await new Promise((r) => setTimeout(r, 30));
          current -= 1;
        },
      },
    });
    await pg.other.jobInsert({
      jobs: Array.from({ length: 12 }, () =>
        newJob({ queue: 'slow', handler: 'rec', method: 'run', params: [] }),
      ),
    });
    let done = 0;
    const worker = testWorker({
      store: pg.store,
      handlers,
      concurrency: 6,
      queues: ['slow'],
      queueConcurrency: { slow: 1 },
    });
    worker.events.on('completed', () => done++);
    await worker.start();
    await waitFor(() => done === 12, 10_000, 'all 12 jobs completed');
    await worker.stop();
    expect(peak).toBe(1);
  });
});
