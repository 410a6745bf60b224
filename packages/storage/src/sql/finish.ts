import {
  type AttemptCompletion,
  type AttemptFailure,
  type AttemptRelease,
  ERRORS_KEPT_FIRST,
  ERRORS_KEPT_LAST,
} from '@jobs/core';
import type { Connection, Executor } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { NOTIFIED_JOIN, notifyChangesCtes } from './notify.js';
import { SLOT_FREED_JOIN, slotFreedCte } from './slot-freed.js';
import { sqlList } from './state-list.js';

/**
 * Whether a finished job of queue `j.queue` in `state` is deleted at once (its retention is 0):
 * `z` holds the retention settings for `state`, read once per statement (InitPlans). The
 * condition `ANY_ZERO` is a one-time filter: when no queue and no default deletes at once (the
 * usual case), the delete below reads no row and the completion costs what it did before.
 */
function deletedAtOnce(state: 'completed'): {
  readonly cte: string;
  readonly anyZero: string;
  readonly row: string;
} {
  return {
    cte: `z AS MATERIALIZED (
    SELECT COALESCE((SELECT r.${state}_ms = 0 FROM job_retention r WHERE r.id), false) AS default_zero,
           COALESCE((SELECT array_agg(q.name) FROM job_queues q
                      WHERE q.retention->'${state}' = '0'::jsonb), '{}') AS zero,
           COALESCE((SELECT array_agg(q.name) FROM job_queues q WHERE q.retention ? '${state}'
                        AND q.retention->'${state}' IS DISTINCT FROM '0'::jsonb), '{}') AS keep
  )`,
    anyZero: `(SELECT z.default_zero OR cardinality(z.zero) > 0 FROM z)`,
    row: `((SELECT z.default_zero FROM z) AND NOT (j.queue = ANY(CAST((SELECT z.keep FROM z) AS text[])))
        OR NOT (SELECT z.default_zero FROM z) AND j.queue = ANY(CAST((SELECT z.zero FROM z) AS text[])))`,
  };
}

const AT_ONCE = deletedAtOnce('completed');

/**
 * The guard of statements that join a list of attempts (`v`) to `jobs j` by id: the job still
 * runs. The state is compared with a subquery's value, which the planner estimates from the
 * number of states rather than from the statistics of `running`: a table analyzed while few or
 * no jobs ran says one row runs, and the planner then read every running job once per listed
 * attempt (measured: 634 ms of a 1,000-job completion with 1,644 jobs running, where probing the
 * primary key per attempt takes 2 ms).
 */
export const RUNNING_GUARD = `j.state = (SELECT ${sqlList(['running'])}::text)`;

/**
 * A job some other job depends on (a flow): its completion keeps it, whatever its retention,
 * so that dependents read its result; the pruner deletes it once they have finished.
 */
const HAS_DEPENDENTS = `EXISTS (SELECT 1 FROM job_dependencies d WHERE d.depends_on = j.id)`;

// A job whose queue keeps completed jobs for 0 ms is deleted by its completion (graphile-worker's
// behaviour, no pruner pass needed); every other is marked completed. Both guarded alike.
const COMPLETE = `WITH v AS (
    SELECT unnest($1::bigint[]) AS id, unnest($2::int[]) AS attempt,
           unnest($3::text[])::jsonb AS result
  ), ${AT_ONCE.cte}, dropped AS (
  DELETE FROM jobs j USING v
  WHERE ${AT_ONCE.anyZero} AND j.id = v.id AND j.attempt = v.attempt AND ${RUNNING_GUARD}
    AND j.lease_owner = $4 AND ${AT_ONCE.row} AND NOT ${HAS_DEPENDENTS}
  RETURNING j.id, 'completed'::text AS state, j.queue, j.concurrency_key
  ), kept AS (
  UPDATE jobs j
    SET state = 'completed', finished_at = now(), result = v.result,
        lease_owner = NULL, lease_expires_at = NULL
   FROM v
  WHERE j.id = v.id AND j.attempt = v.attempt AND ${RUNNING_GUARD} AND j.lease_owner = $4
    AND (NOT ${AT_ONCE.anyZero} OR NOT ${AT_ONCE.row} OR ${HAS_DEPENDENTS})
  RETURNING j.id, j.state, j.queue, j.concurrency_key
  ), changed AS (SELECT id, state, queue, concurrency_key FROM dropped
                 UNION ALL SELECT id, state, queue, concurrency_key FROM kept
  ), ${notifyChangesCtes('complete', 'changed')}, ${slotFreedCte('changed')}
  SELECT ARRAY(SELECT v.id::text FROM v WHERE v.id NOT IN (SELECT id FROM changed)) AS refused
    FROM (SELECT 1) AS one ${NOTIFIED_JOIN} ${SLOT_FREED_JOIN}`;

/**
 * Records completions in one statement; only attempts still leased to `workerId` count. The
 * statement answers with the ids it refused (usually none) in one row, rather than a row per
 * recorded job for both sides to write and parse.
 */
export async function completeJobs(
  c: Connection,
  workerId: string,
  jobs: readonly AttemptCompletion[],
): Promise<string[]> {
  if (jobs.length === 0) return [];
  const [row] = await c.sql.unsafe<{ refused: string[] }[]>(
    COMPLETE,
    [
      pgArray(jobs.map((j) => j.id)),
      pgArray(jobs.map((j) => j.attempt)),
      pgArray(jobs.map((j) => (j.result === null ? null : JSON.stringify(j.result)))),
      workerId,
    ],
    { prepare: true },
  );
  const refused = row?.refused ?? [];
  if (refused.length === 0) return jobs.map((j) => j.id);
  // The database writes ids in canonical form; compare the given ones likewise.
  const refusedIds = new Set(refused);
  return jobs.filter((j) => !refusedIds.has(BigInt(j.id).toString())).map((j) => j.id);
}

/** The errors array before this failure's, counted once; an unreadable old value counts as none. */
const OLD_COUNT = `CASE WHEN jsonb_typeof(j.errors) = 'array' THEN jsonb_array_length(j.errors) ELSE 0 END`;

/**
 * The new errors array: the old one (an unreadable old value dropped) with this failure's error
 * appended, keeping the first ERRORS_KEPT_FIRST and the last ERRORS_KEPT_LAST entries.
 */
const BOUNDED_ERRORS = `CASE
          WHEN jsonb_typeof(j.errors) <> 'array' THEN jsonb_build_array(v.error)
          WHEN jsonb_array_length(j.errors) < ${ERRORS_KEPT_FIRST + ERRORS_KEPT_LAST}
            THEN j.errors || jsonb_build_array(v.error)
          ELSE (SELECT jsonb_agg(e.value ORDER BY e.n)
                  FROM jsonb_array_elements(j.errors || jsonb_build_array(v.error))
                       WITH ORDINALITY AS e(value, n)
                 WHERE e.n <= ${ERRORS_KEPT_FIRST}
                    OR e.n > jsonb_array_length(j.errors) + 1 - ${ERRORS_KEPT_LAST})
        END`;

// Errors are bounded here, so that the worker's failures and rescue's "worker lost" share it.
const FAIL = `WITH changed AS (
  UPDATE jobs j
    SET state = v.state,
        run_at = CASE WHEN v.state = 'retrying'
                      THEN now() + v.delay_ms * interval '1 millisecond' ELSE j.run_at END,
        finished_at = CASE WHEN v.state = 'failed' THEN now() ELSE NULL END,
        errors = ${BOUNDED_ERRORS},
        errors_dropped = j.errors_dropped
          + GREATEST(0, ${OLD_COUNT} + 1 - ${ERRORS_KEPT_FIRST + ERRORS_KEPT_LAST}),
        lease_owner = NULL, lease_expires_at = NULL
   FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::int[]) AS attempt,
                unnest($3::text[]) AS state, unnest($4::float8[]) AS delay_ms,
                unnest($5::text[])::jsonb AS error, unnest($6::text[]) AS owner) v
  WHERE j.id = v.id AND j.attempt = v.attempt AND ${RUNNING_GUARD} AND j.lease_owner = v.owner
  RETURNING j.id, j.state, j.queue, j.concurrency_key
  ), ${notifyChangesCtes('fail', 'changed')}, ${slotFreedCte('changed')}
  SELECT changed.id::text AS id FROM changed ${NOTIFIED_JOIN} ${SLOT_FREED_JOIN}`;

/** A failure together with the lease owner it must still belong to. */
export interface OwnedFailure extends AttemptFailure {
  readonly owner: string;
}

/**
 * Records failed attempts in one statement, each guarded by its own lease owner and attempt; a
 * job keeps its first and last attempt errors (see ERRORS_KEPT_FIRST) and counts the others.
 */
export async function failJobs(sql: Executor, jobs: readonly OwnedFailure[]): Promise<string[]> {
  if (jobs.length === 0) return [];
  const rows = await sql.unsafe<{ id: string }[]>(
    FAIL,
    [
      pgArray(jobs.map((j) => j.id)),
      pgArray(jobs.map((j) => j.attempt)),
      pgArray(jobs.map((j) => j.outcome.state)),
      pgArray(jobs.map((j) => (j.outcome.state === 'retrying' ? j.outcome.delayMs : 0))),
      pgArray(jobs.map((j) => JSON.stringify(j.error))),
      pgArray(jobs.map((j) => j.owner)),
    ],
    { prepare: true },
  );
  return rows.map((r) => r.id);
}

const RELEASE = `WITH changed AS (
  UPDATE jobs j
    SET state = 'queued', attempt = j.attempt - 1, lease_owner = NULL, lease_expires_at = NULL
   FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::int[]) AS attempt) v
  WHERE j.id = v.id AND j.attempt = v.attempt AND ${RUNNING_GUARD} AND j.lease_owner = $3
  RETURNING j.id, j.state
  ), ${notifyChangesCtes('release', 'changed')}
  SELECT changed.id::text AS id FROM changed ${NOTIFIED_JOIN}`;

/** Hands running jobs back to the queue without counting their attempt; wakes other workers. */
export async function releaseJobs(
  c: Connection,
  workerId: string,
  jobs: readonly AttemptRelease[],
): Promise<string[]> {
  if (jobs.length === 0) return [];
  const rows = await c.sql.unsafe<{ id: string }[]>(RELEASE, [
    pgArray(jobs.map((j) => j.id)),
    pgArray(jobs.map((j) => j.attempt)),
    workerId,
  ]);
  return rows.map((r) => r.id);
}
