import type { PgJobStore } from '@jobs/storage';
import type { CaseContext } from '../context.js';
import { enqueueNoops } from '../enqueue.js';

/** The queue and handler list indexes (one for waiting jobs, one for finished jobs each). */
const LIST_INDEXES = [
  'jobs_queue_waiting_id_idx',
  'jobs_queue_final_id_idx',
  'jobs_handler_method_waiting_id_idx',
  'jobs_handler_method_final_id_idx',
];

/**
 * What the jobs table's list indexes cost writers: the ceiling's pgbench lifecycle and a bulk
 * insert, run as migrated and with list indexes dropped. Not a setting of this project (the
 * API needs those indexes for index-backed filtered pages): a measurement for its design.
 */
export const INDEX_VARIANTS: readonly {
  readonly name: string;
  readonly drop: readonly string[];
}[] = [
  { name: 'as migrated', drop: [] },
  {
    name: 'without the (queue, id) and (handler, method, id) indexes',
    drop: LIST_INDEXES,
  },
  {
    name: 'without those and (state, id)',
    drop: [...LIST_INDEXES, 'jobs_state_id_idx'],
  },
];

/** Drops the named indexes of the store's schema (names come from INDEX_VARIANTS only). */
export async function dropIndexes(store: PgJobStore, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if (!/^jobs_[a-z_]+_idx$/.test(name)) throw new Error(`not an index name: ${name}`);
    await store.connection.sql.unsafe(`DROP INDEX ${name}`);
  }
}

/** One bulk insert of `jobs` no-op jobs through the store, with `drop` indexes dropped first. */
export async function runInsertCost(
  ctx: CaseContext,
  options: { jobs: number; drop: readonly string[] },
) {
  const store = await ctx.db.reset();
  await dropIndexes(store, options.drop);
  await ctx.begin();
  const started = performance.now();
  await enqueueNoops(store, options.jobs, options.jobs);
  const seconds = (performance.now() - started) / 1000;
  await ctx.end();
  const problems = await allQueued(store, options.jobs);
  return { jobs: options.jobs, seconds, jobsPerSecond: options.jobs / seconds, problems };
}

/** Every inserted job is there, queued, once. */
async function allQueued(store: PgJobStore, expected: number): Promise<string[]> {
  const counts = await store.jobCount();
  const all = Object.values(counts.byState).reduce((a, b) => a + b, 0);
  const problems: string[] = [];
  if (counts.byState.queued !== expected)
    problems.push(`${counts.byState.queued} of ${expected} queued`);
  if (all !== expected) problems.push(`${all} rows for ${expected} jobs`);
  return problems;
}
