import type { FinishedGroup, FinishedSummary, QueueLag, ThroughputPoint } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { toDate } from '../rows.js';

/** Largest window `jobThroughput` reads: one week of minutes. */
export const MAX_THROUGHPUT_MINUTES = 7 * 24 * 60;

// Reads the finished jobs through the partial index on finished_at, then fills empty minutes.
const THROUGHPUT = `WITH span AS (
    SELECT date_trunc('minute', now()) - ($1::int - 1) * interval '1 minute' AS first_minute,
           date_trunc('minute', now()) AS last_minute
  ), counted AS (
    SELECT date_trunc('minute', j.finished_at) AS at,
           count(*) FILTER (WHERE j.state = 'completed')::int AS completed,
           count(*) FILTER (WHERE j.state = 'failed')::int AS failed
      FROM jobs j, span
     WHERE j.finished_at >= span.first_minute AND j.state IN ('completed', 'failed')
     GROUP BY 1
  )
  SELECT m.at, COALESCE(c.completed, 0) AS completed, COALESCE(c.failed, 0) AS failed
    FROM span, generate_series(span.first_minute, span.last_minute, interval '1 minute') AS m(at)
    LEFT JOIN counted c ON c.at = m.at
   ORDER BY m.at`;

/** Completed and failed jobs per minute over the last `minutes` minutes, oldest first. */
export async function jobThroughput(c: Connection, minutes: number): Promise<ThroughputPoint[]> {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_THROUGHPUT_MINUTES) {
    throw new RangeError(`minutes must be an integer from 1 to ${MAX_THROUGHPUT_MINUTES}`);
  }
  const rows = await c.sql.unsafe<{ at: string | Date; completed: number; failed: number }[]>(
    THROUGHPUT,
    [minutes],
  );
  return rows.map((r) => ({ at: toDate(r.at), completed: r.completed, failed: r.failed }));
}

// One row per (queue, state, kind, bucket): `bucket` is how many bounds lie below the value,
// so an observation counts in every cumulative bucket from there on.
const FINISHED = `WITH f AS (
    SELECT j.queue, j.state,
           GREATEST(0, extract(epoch FROM j.finished_at - COALESCE(j.started_at, j.finished_at)))::float8 AS duration,
           GREATEST(0, extract(epoch FROM COALESCE(j.started_at, j.finished_at) - j.run_at))::float8 AS wait
      FROM jobs j
     WHERE j.finished_at > $1::timestamptz AND j.finished_at <= $2::timestamptz
       AND j.state IN ('completed', 'failed')
  )
  SELECT queue, state, 'duration' AS kind, width_bucket(duration, $3::float8[]) AS bucket,
         count(*)::int AS n, sum(duration)::float8 AS total
    FROM f GROUP BY queue, state, bucket
  UNION ALL
  SELECT queue, state, 'wait', width_bucket(wait, $3::float8[]), count(*)::int, sum(wait)::float8
    FROM f GROUP BY queue, state, width_bucket(wait, $3::float8[])`;

interface FinishedRow {
  queue: string;
  state: 'completed' | 'failed';
  kind: 'duration' | 'wait';
  bucket: number;
  n: number;
  total: number;
}

/** Mutable accumulator of one FinishedGroup. */
interface GroupTotals {
  queue: string;
  state: 'completed' | 'failed';
  count: number;
  durationSum: number;
  durationBuckets: number[];
  waitSum: number;
  waitBuckets: number[];
}

/** Aggregates the jobs finished in `(after, now() - lagMs]` into histogram groups. */
export async function jobFinishedSummary(
  c: Connection,
  params: {
    readonly after: Date | null;
    readonly lagMs: number;
    readonly bounds: readonly number[];
  },
): Promise<FinishedSummary> {
  if (params.bounds.length === 0) throw new RangeError('bounds must not be empty');
  const [head] = await c.sql.unsafe<{ until: string | Date }[]>(
    `SELECT now() - $1::float8 * interval '1 millisecond' AS until`,
    [Math.max(0, params.lagMs)],
  );
  if (head === undefined) throw new Error('no clock reading');
  const until = toDate(head.until);
  if (params.after === null || params.after >= until) return { until, groups: [] };
  const rows = await c.sql.unsafe<FinishedRow[]>(FINISHED, [
    params.after.toISOString(),
    until.toISOString(),
    pgArray(params.bounds),
  ]);
  const groups = new Map<string, GroupTotals>();
  for (const row of rows) {
    const key = `${row.state}\u0000${row.queue}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        queue: row.queue,
        state: row.state,
        count: 0,
        durationSum: 0,
        durationBuckets: params.bounds.map(() => 0),
        waitSum: 0,
        waitBuckets: params.bounds.map(() => 0),
      };
      groups.set(key, group);
    }
    const buckets = row.kind === 'duration' ? group.durationBuckets : group.waitBuckets;
    for (let i = row.bucket; i < buckets.length; i++) buckets[i] = (buckets[i] ?? 0) + row.n;
    if (row.kind === 'duration') {
      group.count += row.n;
      group.durationSum += row.total;
    } else {
      group.waitSum += row.total;
    }
  }
  const sorted: FinishedGroup[] = [...groups.values()].sort(
    (a, b) => a.queue.localeCompare(b.queue) || a.state.localeCompare(b.state),
  );
  return { until, groups: sorted };
}

/** Per queue with due runnable jobs: how many, and the oldest one's wait in seconds. */
export async function queueLag(c: Connection): Promise<QueueLag[]> {
  const rows = await c.sql.unsafe<{ queue: string; due: number; oldest: number }[]>(
    `SELECT queue, count(*)::int AS due,
            GREATEST(0, extract(epoch FROM now() - min(run_at)))::float8 AS oldest
       FROM jobs
      WHERE state IN ('scheduled', 'queued', 'retrying') AND run_at <= now()
      GROUP BY queue ORDER BY queue`,
  );
  return rows.map((r) => ({ queue: r.queue, due: r.due, oldestWaitSeconds: r.oldest }));
}
