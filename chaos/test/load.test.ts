import { createClient } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentiles, type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { handlers } from '../src/handlers.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes, sampleRss } from '../src/processes.js';
import { figure, scaled } from '../src/scale.js';

const TOTAL = scaled(200_000, 20_000);
const READ_P99_LIMIT_MS = scaled(100, 250);

describe('load: enqueue through the API and the client at once while 3 workers drain', () => {
  const processes = new Processes();
  let db: ScenarioDb;

  beforeAll(async () => {
    db = await scenarioDb('load');
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  it('completes every job exactly once, keeps API reads fast, and memory bounded', async () => {
    const api = await processes.api({ url: db.url, schema: db.schema });
    const workers = await Promise.all(
      [1, 2, 3].map(() =>
        processes.worker({
          url: db.url,
          schema: db.schema,
          executions: db.executionsDir,
          args: ['--concurrency', '16', '--prefetch', '32'],
        }),
      ),
    );
    const pids = [api.child.pid ?? 0, ...workers.map((w) => w.child.pid ?? 0)];
    const rss = sampleRss(() => pids, 500);
    const client = createClient(db.store, handlers);
    const job = { handler: 'work', method: 'run', params: [0] } as const;

    // Through all four ways in at once: most in batches (API batch, client enqueueMany), a
    // twentieth each one at a time (API single POSTs, client enqueue).
    const single = TOTAL / 20;
    const batched = (TOTAL - 2 * single) / 2;
    const apiBatch = async () => {
      for (let sent = 0; sent < batched; sent += 250) {
        const response = await fetch(`${api.url}/api/jobs/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jobs: Array.from({ length: 250 }, () => job) }),
        });
        expect(response.status).toBe(201);
        await response.body?.cancel();
      }
    };
    const apiSingle = async (count: number) => {
      for (let i = 0; i < count; i += 1) {
        const response = await fetch(`${api.url}/api/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(job),
        });
        expect(response.status).toBe(201);
        await response.body?.cancel();
      }
    };
    const clientMany = async () => {
      for (let sent = 0; sent < batched; sent += 1_000) {
        await client.enqueueMany(Array.from({ length: 1_000 }, () => job));
      }
    };
    const clientSingle = async (count: number) => {
      for (let i = 0; i < count; i += 1) await client.enqueue('work', 'run', [0]);
    };
    // Reads while everything runs: the dashboard's list and one job.
    let reading = true;
    const latencies: number[] = [];
    const byPath = new Map<string, number[]>();
    const reader = (async () => {
      while (reading) {
        for (const path of [
          '/api/jobs?limit=50',
          '/api/jobs?state=queued&limit=50',
          '/api/jobs/1',
        ]) {
          const started = performance.now();
          const response = await fetch(`${api.url}${path}`);
          await response.arrayBuffer();
          const ms = performance.now() - started;
          latencies.push(ms);
          byPath.set(path, [...(byPath.get(path) ?? []), ms]);
          expect(response.status).toBeLessThan(500);
        }
      }
    })();
    const started = Date.now();
    // Four writers at once, one per way in; the readers share the API with two of them.
    await Promise.all([apiBatch(), apiSingle(single), clientMany(), clientSingle(single)]);
    const enqueuedIn = (Date.now() - started) / 1000;
    await db.drained(scaled(600_000, 180_000));
    const drainedIn = (Date.now() - started) / 1000;
    reading = false;
    await reader;
    rss.stop();

    const totals = await db.totals();
    expect(totals).toEqual({ completed: TOTAL, recorded: TOTAL, distinctRecorded: TOTAL });
    const report = await assertExecutions(db, 'load');
    // No worker was killed or cut: every job ran exactly once.
    expect(report.executions).toBe(TOTAL);
    const reads = percentiles(latencies);
    for (const [path, samples] of byPath) {
      const p = percentiles(samples);
      figure(
        'load',
        `reads of ${path}: n=${p.n} p50=${p.p50.toFixed(1)} p99=${p.p99.toFixed(1)} max=${p.max.toFixed(1)} ms`,
      );
    }
    // The full run holds the API to the issue's 100 ms. The bounded CI run makes a tenth of the
    // reads, so its p99 is a handful of samples from a shared two-core machine: there it only
    // guards against stalls.
    expect(reads.p99).toBeLessThan(READ_P99_LIMIT_MS);
    const memory = [...rss.samples()].map(([pid, samples]) => {
      const third = Math.max(1, Math.floor(samples.length / 3));
      const early = percentiles(samples.slice(third, 2 * third)).p50;
      const late = percentiles(samples.slice(-third)).p50;
      return {
        pid,
        early: Math.round(early),
        late: Math.round(late),
        peak: Math.round(Math.max(...samples)),
      };
    });
    for (const m of memory) {
      expect(m.peak, `process ${m.pid}`).toBeLessThan(400);
      expect(m.late, `process ${m.pid} grew`).toBeLessThan(m.early * 1.5 + 50);
    }
    figure(
      'load',
      `${TOTAL} jobs (API batch, API single, client many, client single) enqueued in ${enqueuedIn.toFixed(1)} s, all completed exactly once after ${drainedIn.toFixed(1)} s`,
    );
    figure(
      'load',
      `API reads during the run: n=${reads.n} p50=${reads.p50.toFixed(1)} ms p95=${reads.p95.toFixed(1)} ms p99=${reads.p99.toFixed(1)} ms (limit ${READ_P99_LIMIT_MS})`,
    );
    figure(
      'load',
      `RSS MiB (middle third -> last third median, peak): ${memory.map((m) => `${m.early}->${m.late} (${m.peak})`).join(', ')}`,
    );
  });
});
