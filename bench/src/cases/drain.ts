import type { BenchDatabase } from '../database.js';
import { BENCH_SCHEMA } from '../database.js';
import { enqueueNoops, progress, verifyExactlyOnce } from '../enqueue.js';
import { load } from '../stats.js';
import { startWorkerProcess } from '../worker-process.js';

/** What one drain measured. */
export interface DrainResult {
  readonly case: string;
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  readonly peakRssMiB: number;
  readonly load: number;
  readonly problems: string[];
}

/**
 * Drains `jobs` queued no-op jobs through one worker process at `concurrency`. The time is
 * the database's own: from the first attempt's start to the last job's finish.
 */
export async function runDrain(
  db: BenchDatabase,
  options: { jobs: number; concurrency: number; changeEvents: boolean },
): Promise<DrainResult> {
  const store = await db.reset();
  await enqueueNoops(store, options.jobs);
  await store.connection.sql`ANALYZE jobs`;
  const worker = await startWorkerProcess({
    url: db.url,
    schema: BENCH_SCHEMA,
    concurrency: options.concurrency,
    changeEvents: options.changeEvents,
  });
  const deadline = Date.now() + 10 * 60_000;
  try {
    for (;;) {
      const { other } = await progress(store);
      if (other === 0) break;
      if (Date.now() > deadline) throw new Error('drain did not finish in 10 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await worker.stop();
  }
  const [span] = await store.connection.sql<{ seconds: number }[]>`
    SELECT extract(epoch FROM max(finished_at) - min(started_at))::float8 AS seconds FROM jobs`;
  const seconds = span?.seconds ?? Number.NaN;
  return {
    case: `drain: one worker process, concurrency ${options.concurrency}, change events ${options.changeEvents ? 'on' : 'off'}`,
    jobs: options.jobs,
    seconds,
    jobsPerSecond: options.jobs / seconds,
    peakRssMiB: worker.peakRssMiB(),
    load: load(),
    problems: await verifyExactlyOnce(store, options.jobs),
  };
}
