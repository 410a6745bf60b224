import { createClient } from '@jobs/core';
import type { BenchDatabase } from '../database.js';
import { BENCH_SCHEMA } from '../database.js';
import { progress, verifyExactlyOnce } from '../enqueue.js';
import { handlers } from '../handlers.js';
import { load, summarize } from '../stats.js';
import { startWorkerProcess } from '../worker-process.js';

/** Enqueue-to-start latency percentiles, in milliseconds. */
export interface LatencyResult {
  readonly case: string;
  readonly jobs: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly load: number;
  readonly problems: string[];
}

/**
 * Enqueues `jobs` no-op jobs one at a time at `rate` per second into an idle worker and
 * measures, on the database's clock, from each job's insert to its attempt's start.
 */
export async function runLatency(
  db: BenchDatabase,
  options: { jobs: number; rate: number; concurrency: number },
): Promise<LatencyResult> {
  const store = await db.reset();
  const client = createClient(store, handlers);
  const worker = await startWorkerProcess({
    url: db.url,
    schema: BENCH_SCHEMA,
    concurrency: options.concurrency,
  });
  try {
    const interval = 1000 / options.rate;
    const started = Date.now();
    for (let i = 0; i < options.jobs; i += 1) {
      const due = started + i * interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await client.enqueue('bench', 'noop', []);
    }
    const deadline = Date.now() + 60_000;
    while ((await progress(store)).other > 0) {
      if (Date.now() > deadline) throw new Error('latency jobs did not finish in a minute');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await worker.stop();
  }
  const rows = await store.connection.sql<{ ms: number }[]>`
    SELECT extract(epoch FROM started_at - created_at)::float8 * 1000 AS ms FROM jobs`;
  const stats = summarize(rows.map((r) => r.ms));
  return {
    case: `latency: enqueue one at a time at ${options.rate}/s into an idle worker`,
    jobs: options.jobs,
    ...stats,
    load: load(),
    problems: await verifyExactlyOnce(store, options.jobs),
  };
}
