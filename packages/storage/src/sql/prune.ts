import {
  DEFAULT_PRUNE_BATCH_SIZE,
  effectiveRetention,
  type PruneParams,
  type PruneResult,
  RETENTION_STATES,
  type RetentionState,
} from '@jobs/core';
import type postgres from 'postgres';
import type { Connection } from '../connection.js';
import { NOTIFIED_JOIN, notifyChangesCtes } from './notify.js';
import { getRetention } from './retention.js';
import { sqlList } from './state-list.js';

/**
 * Pruning: deletes finished jobs of one queue and one state, oldest first, through
 * `jobs_prune_idx` (queue, state, finished_at), `batchSize` rows per transaction, one process at
 * a time (a session advisory lock held for the pass).
 */

const FINAL = sqlList(RETENTION_STATES);

/**
 * The cutoff: `$3` milliseconds before the transaction's start, or `$4`, whichever is earlier
 * (LEAST skips a NULL; one of them is always set).
 */
const CUTOFF = `LEAST(now() - $3::float8 * interval '1 millisecond', $4::timestamptz)`;

// A finished job that an unfinished job depends on is kept: the dependent reads its result
// (jobContext().parents()) when it runs. The delete-at-once completion in finish.ts keeps such
// a job too; a later pass deletes it once its dependents have finished.
// SKIP LOCKED: a job another transaction holds (a retry by hand, a concurrent delete) is left
// for the next pass; FOR UPDATE rechecks the state of a job changed since the snapshot.
/** True for a job (of `jobs`, unaliased) that no unfinished job depends on. */
export const NO_UNFINISHED_DEPENDENT = `NOT EXISTS (
         SELECT 1 FROM job_dependencies d JOIN jobs w ON w.id = d.job_id
          WHERE d.depends_on = jobs.id AND w.state NOT IN (${FINAL}))`;

const DELETE_BATCH = `WITH victims AS (
    SELECT id FROM jobs
     WHERE queue = $1 AND state = $2 AND state IN (${FINAL}) AND finished_at < ${CUTOFF}
       AND ${NO_UNFINISHED_DEPENDENT}
     ORDER BY finished_at LIMIT $5 FOR UPDATE SKIP LOCKED
  ), changed AS (
    DELETE FROM jobs j USING victims v WHERE j.id = v.id AND j.state = $2
    RETURNING j.id, j.state, j.finished_at
  ), summary AS (
    SELECT count(*)::int AS count, min(finished_at) AS oldest, max(finished_at) AS newest
      FROM changed
  ), ${notifyChangesCtes('delete', 'changed')}
  SELECT summary.count, summary.oldest, summary.newest, ${CUTOFF} AS cutoff
    FROM summary ${NOTIFIED_JOIN}`;

const COUNT = `SELECT count(*)::int AS count, ${CUTOFF} AS cutoff FROM jobs
  WHERE queue = $1 AND state = $2 AND state IN (${FINAL}) AND finished_at < ${CUTOFF}
    AND ${NO_UNFINISHED_DEPENDENT} AND $5::int > 0`;

interface BatchRow {
  count: number;
  oldest: Date | null;
  newest: Date | null;
  cutoff: Date;
}

/** One queue and state to prune, and its age limit. */
interface Target {
  readonly queue: string;
  readonly state: RetentionState;
  readonly olderThanMs: number | null;
  readonly before: Date | null;
}

/** Pause between two tries of the pruner lock while waiting for another process's pass. */
const LOCK_RETRY_MS = 100;

/** Deletes (or counts) what `params` selects; see `JobRetentionStore.jobPrune`. */
export async function pruneJobs(c: Connection, params: PruneParams): Promise<PruneResult> {
  const batchSize = params.batchSize ?? DEFAULT_PRUNE_BATCH_SIZE;
  const targets = await targetsOf(c, params);
  const byQueue: { queue: string; state: RetentionState; count: number }[] = [];
  let deleted = 0;
  let batches = 0;
  let more = false;
  const maxBatches = params.maxBatches ?? Number.POSITIVE_INFINITY;
  if (params.dryRun === true) {
    for (const target of targets) {
      const [row] = await c.sql.unsafe<BatchRow[]>(COUNT, argsOf(target, batchSize));
      const count = row?.count ?? 0;
      deleted += count;
      if (count > 0) byQueue.push({ queue: target.queue, state: target.state, count });
    }
    return { deleted, byQueue, dryRun: true, busy: false, batches, more: false };
  }
  // One connection for the pass: it holds a session advisory lock (one pruner at a time; the
  // server drops it with the connection if the process dies) and runs each batch in its own
  // short transaction, so a kill rolls back at most the batch under way.
  const conn = await c.sql.reserve();
  const lockKey = `jobs:prune:${c.schema}`;
  try {
    if (!(await tryLock(conn, lockKey, params.waitMs ?? 0))) {
      return { deleted: 0, byQueue, dryRun: false, busy: true, batches, more: false };
    }
    try {
      for (const target of targets) {
        const args = argsOf(target, batchSize);
        let count = 0;
        for (;;) {
          const row = await inTransaction(conn, async () => {
            const [result] = await conn.unsafe<BatchRow[]>(DELETE_BATCH, args);
            return result;
          });
          const n = row?.count ?? 0;
          if (row !== undefined && n > 0) {
            batches += 1;
            count += n;
            params.onBatch?.({
              queue: target.queue,
              state: target.state,
              count: n,
              finishedBefore: new Date(row.cutoff),
              oldest: row.oldest === null ? null : new Date(row.oldest),
              newest: row.newest === null ? null : new Date(row.newest),
            });
          }
          if (n < batchSize) break;
          if (batches >= maxBatches) {
            more = true;
            break;
          }
        }
        deleted += count;
        if (count > 0) byQueue.push({ queue: target.queue, state: target.state, count });
        if (more) break;
      }
    } finally {
      await conn.unsafe('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    conn.release();
  }
  return { deleted, byQueue, dryRun: false, busy: false, batches, more };
}

/** Takes the pruner lock, trying again for up to `waitMs`; false when another pass holds it. */
async function tryLock(conn: postgres.ReservedSql, key: string, waitMs: number): Promise<boolean> {
  const end = Date.now() + waitMs;
  for (;;) {
    const [lock] = await conn.unsafe<{ ok: boolean }[]>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
      [key],
    );
    if (lock?.ok === true) return true;
    if (Date.now() + LOCK_RETRY_MS > end) return false;
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
}

/** Runs `work` between BEGIN and COMMIT on the reserved connection (ROLLBACK if it throws). */
async function inTransaction<T>(conn: postgres.ReservedSql, work: () => Promise<T>): Promise<T> {
  await conn.unsafe('BEGIN');
  try {
    const result = await work();
    await conn.unsafe('COMMIT');
    return result;
  } catch (error) {
    await conn.unsafe('ROLLBACK').catch(() => {});
    throw error;
  }
}

function argsOf(target: Target, batchSize: number): (string | number | null)[] {
  const before = target.before === null ? null : target.before.toISOString();
  return [target.queue, target.state, target.olderThanMs, before, batchSize];
}

/**
 * Every queue (of `job_queues`, or those asked for) and state asked for, with its age limit:
 * the one given, or else the queue's retention for that state (kept forever: left out).
 */
async function targetsOf(c: Connection, params: PruneParams): Promise<Target[]> {
  const states = params.states ?? RETENTION_STATES;
  const queues =
    params.queues ??
    (
      await c.sql.unsafe<{ name: string }[]>('SELECT name FROM job_queues ORDER BY name', [], {
        prepare: true,
      })
    ).map((row) => row.name);
  const explicit = params.olderThanMs !== undefined || params.finishedBefore !== undefined;
  const settings = explicit ? null : await getRetention(c);
  const targets: Target[] = [];
  for (const queue of queues) {
    const policy = settings === null ? null : effectiveRetention(settings, queue);
    for (const state of states) {
      const olderThanMs = policy === null ? (params.olderThanMs ?? null) : policy[state];
      const before = policy === null ? (params.finishedBefore ?? null) : null;
      if (olderThanMs === null && before === null) continue;
      targets.push({ queue, state, olderThanMs, before });
    }
  }
  return targets;
}
