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

const COMPLETE = `WITH changed AS (
  UPDATE jobs j
    SET state = 'completed', finished_at = now(), result = v.result,
        lease_owner = NULL, lease_expires_at = NULL
   FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::int[]) AS attempt,
                unnest($3::text[])::jsonb AS result) v
  WHERE j.id = v.id AND j.attempt = v.attempt AND j.state = 'running' AND j.lease_owner = $4
  RETURNING j.id, j.state, j.queue, j.concurrency_key
  ), ${notifyChangesCtes('complete', 'changed')}, ${slotFreedCte('changed')}
  SELECT changed.id::text AS id FROM changed ${NOTIFIED_JOIN} ${SLOT_FREED_JOIN}`;

/** Records completions in one statement; only attempts still leased to `workerId` count. */
export async function completeJobs(
  c: Connection,
  workerId: string,
  jobs: readonly AttemptCompletion[],
): Promise<string[]> {
  if (jobs.length === 0) return [];
  const rows = await c.sql.unsafe<{ id: string }[]>(
    COMPLETE,
    [
      pgArray(jobs.map((j) => j.id)),
      pgArray(jobs.map((j) => j.attempt)),
      pgArray(jobs.map((j) => (j.result === null ? null : JSON.stringify(j.result)))),
      workerId,
    ],
    { prepare: true },
  );
  return rows.map((r) => r.id);
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
  WHERE j.id = v.id AND j.attempt = v.attempt AND j.state = 'running' AND j.lease_owner = v.owner
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
  WHERE j.id = v.id AND j.attempt = v.attempt AND j.state = 'running' AND j.lease_owner = $3
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
