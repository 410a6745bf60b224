import type { QueueLimitsPatch, QueueUsage } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { sqlList } from './state-list.js';

/** A queue-settings row with its use, as the statements below read it. */
interface UsageRow {
  readonly name: string;
  readonly paused: boolean;
  readonly concurrency: number | null;
  readonly key_concurrency: number | null;
  readonly rate_limit: number | null;
  readonly rate_period_ms: number | null;
  readonly running: number;
  readonly recent_starts: number;
}

/** The settings of `job_queues q` and their use now (running jobs, starts in the window). */
const USAGE_COLUMNS = `q.name, q.paused, q.concurrency, q.key_concurrency, q.rate_limit, q.rate_period_ms,
  (SELECT count(*)::integer FROM jobs r
    WHERE r.state = ${sqlList(['running'])} AND r.queue = q.name
      AND r.lease_expires_at > clock_timestamp()) AS running,
  CASE WHEN q.rate_limit IS NULL THEN 0 ELSE
  (SELECT count(*)::integer FROM job_queue_starts s
    WHERE s.queue = q.name
      AND s.started_at > now() - q.rate_period_ms * interval '1 millisecond') END
    AS recent_starts`;

const LIST = `SELECT ${USAGE_COLUMNS} FROM job_queues q ORDER BY q.name`;

// `$2`..`$4` say which settings the patch sets ($5..$8 hold the values); the row is created
// when the queue has none, so that limits can be set before a queue's first job.
const SET = `WITH saved AS (
  INSERT INTO job_queues AS q (name, concurrency, key_concurrency, rate_limit, rate_period_ms)
  VALUES ($1::text, $5::integer, $6::integer, $7::integer, $8::integer)
  ON CONFLICT (name) DO UPDATE SET
    concurrency = CASE WHEN $2::boolean THEN EXCLUDED.concurrency ELSE q.concurrency END,
    key_concurrency = CASE WHEN $3::boolean THEN EXCLUDED.key_concurrency ELSE q.key_concurrency END,
    rate_limit = CASE WHEN $4::boolean THEN EXCLUDED.rate_limit ELSE q.rate_limit END,
    rate_period_ms = CASE WHEN $4::boolean THEN EXCLUDED.rate_period_ms ELSE q.rate_period_ms END,
    updated_at = now()
  RETURNING q.*
  ), woken AS (SELECT pg_notify('jobs:' || current_schema(), '{"type":"inserted"}'))
  SELECT ${USAGE_COLUMNS} FROM saved q CROSS JOIN (SELECT count(*) FROM woken) AS w`;

// For each rate-limited, unpaused queue with due jobs and starts in its window: when its
// oldest start in the window leaves it. The soonest of those, in ms from now; and whether any
// rate-limited queue is served at all. A window that is not full when asked counts too: the
// claim that came back short may have met it full a moment before (other workers' starts, or
// its own, leaving it since), and a worker that waited for its poll instead would leave the
// rate's room unused for a poll interval.
const WAIT = `SELECT
  EXISTS (SELECT 1 FROM job_queues q WHERE q.rate_limit IS NOT NULL
            AND ($1::text[] IS NULL OR q.name = ANY($1::text[]))) AS rated,
  (SELECT ceil(extract(epoch FROM min(w.free_at) - now()) * 1000)::float8
     FROM job_queues q
     CROSS JOIN LATERAL (
       SELECT min(s.started_at) + q.rate_period_ms * interval '1 millisecond' AS free_at,
              count(*) AS n
         FROM job_queue_starts s
        WHERE s.queue = q.name
          AND s.started_at > now() - q.rate_period_ms * interval '1 millisecond'
     ) w
    WHERE q.rate_limit IS NOT NULL AND NOT q.paused AND w.n > 0
      AND ($1::text[] IS NULL OR q.name = ANY($1::text[]))
      AND EXISTS (SELECT 1 FROM jobs j WHERE j.queue = q.name
                    AND j.state IN (${sqlList(['queued', 'retrying'])}) AND j.run_at <= now())) AS ms`;

function toUsage(row: UsageRow): QueueUsage {
  return {
    name: row.name,
    paused: row.paused,
    concurrency: row.concurrency,
    keyConcurrency: row.key_concurrency,
    rateLimit:
      row.rate_limit === null || row.rate_period_ms === null
        ? null
        : { limit: row.rate_limit, periodMs: row.rate_period_ms },
    running: row.running,
    recentStarts: row.recent_starts,
  };
}

/** Every queue with a settings row (named by a job, paused or limited), with its limits and use. */
export async function listQueueUsage(c: Connection): Promise<QueueUsage[]> {
  return (await c.sql.unsafe<UsageRow[]>(LIST, [], { prepare: true })).map(toUsage);
}

/** Applies a checked patch of limits to a queue (created if needed) and wakes the workers. */
export async function setQueueLimits(
  c: Connection,
  name: string,
  patch: QueueLimitsPatch,
): Promise<QueueUsage> {
  const rate = patch.rateLimit ?? null;
  const [row] = await c.sql.unsafe<UsageRow[]>(SET, [
    name,
    patch.concurrency !== undefined,
    patch.keyConcurrency !== undefined,
    patch.rateLimit !== undefined,
    patch.concurrency ?? null,
    patch.keyConcurrency ?? null,
    rate?.limit ?? null,
    rate?.periodMs ?? null,
  ]);
  if (row === undefined) throw new Error(`queue ${name}: its settings were not saved`);
  return toUsage(row);
}

/** See `JobStore.queueLimitWait`. */
export async function queueLimitWait(
  c: Connection,
  queues: readonly string[] | null,
): Promise<number | null> {
  const [row] = await c.sql.unsafe<{ rated: boolean; ms: number | null }[]>(
    WAIT,
    [queues === null ? null : pgArray(queues)],
    { prepare: true },
  );
  if (row === undefined || !row.rated) return null;
  return row.ms === null ? Number.POSITIVE_INFINITY : Math.max(1, row.ms);
}
