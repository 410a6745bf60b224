import { performance } from 'node:perf_hooks';
import type { CaseContext } from '../context.js';
import { enqueueNoops, verifyExactlyOnce } from '../enqueue.js';

/** What one run of the store-level claim-and-complete loop measured. */
export interface CeilingResult {
  readonly case: string;
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  readonly problems: string[];
}

/**
 * The ceiling: the claim and complete statements alone, in batches, with no worker machinery
 * (no handler calls, buffering, leases or events). `loops` connections run the cycle at once.
 */
export async function runCeiling(
  ctx: CaseContext,
  options: { jobs: number; batch: number; loops: number },
): Promise<CeilingResult> {
  const store = await ctx.db.reset();
  await enqueueNoops(store, options.jobs);
  await store.connection.sql`ANALYZE jobs`;
  await ctx.begin();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.loops }, async (_, n) => {
      const workerId = `ceiling-${n}`;
      for (;;) {
        const claimed = await store.jobClaim({
          workerId,
          queues: null,
          limit: options.batch,
          leaseMs: 60_000,
        });
        if (claimed.length === 0) return;
        await store.jobComplete({
          workerId,
          jobs: claimed.map((job) => ({ id: job.id, attempt: job.attempt, result: null })),
        });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await ctx.end();
  return {
    case: `ceiling: claim+complete, batch ${options.batch}, ${options.loops} connection(s)`,
    jobs: options.jobs,
    seconds,
    jobsPerSecond: options.jobs / seconds,
    problems: await verifyExactlyOnce(store, options.jobs),
  };
}
