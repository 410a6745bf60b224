import { type Job, type JobLogLine, type JsonValue, TRANSITION_SOURCES } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { JOB_COLUMNS_SQL, rowToJob } from '../rows.js';
import type { JobRow } from '../schema.js';
import { NOTIFIED_JOIN, notifyChangesCtes } from './notify.js';
import { SLOT_FREED_JOIN, slotFreedCte } from './slot-freed.js';
import { sqlList } from './state-list.js';

/** Lines a job keeps; older ones are dropped as new ones arrive. */
export const MAX_LOG_LINES = 200;

const CANCEL = `WITH changed AS (
  UPDATE jobs j
    SET state = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
  WHERE j.id = ANY($1::bigint[]) AND j.state IN (${sqlList(TRANSITION_SOURCES.cancel)})
  RETURNING ${JOB_COLUMNS_SQL}
  ), ${notifyChangesCtes('cancel', 'changed')}, ${slotFreedCte('changed', 'concurrencyKey')}
  SELECT changed.* FROM changed ${NOTIFIED_JOIN} ${SLOT_FREED_JOIN}`;

/** Cancels what may be cancelled and tells workers running any of them to stop. */
export async function cancelJobs(c: Connection, ids: readonly string[]): Promise<Job[]> {
  if (ids.length === 0) return [];
  return (await c.sql.unsafe<JobRow[]>(CANCEL, [pgArray(ids)])).map(rowToJob);
}

// Mirrors core's `retry-now` transition: queued, due now, and one more attempt when none is left.
// A job whose params are not an array (an old hand-written row, see migration 0008) could never
// run, and the table's check refuses to update it: it is left alone.
const RETRY = `WITH changed AS (
  UPDATE jobs j
    SET state = 'queued', run_at = now(), finished_at = NULL,
        max_attempts = GREATEST(j.max_attempts, j.attempt + 1)
  WHERE j.id = ANY($1::bigint[]) AND j.state IN (${sqlList(TRANSITION_SOURCES['retry-now'])})
    AND jsonb_typeof(j.params) = 'array'
  RETURNING ${JOB_COLUMNS_SQL}
  ), ${notifyChangesCtes('retry', 'changed')}
  SELECT changed.* FROM changed ${NOTIFIED_JOIN}`;

/** Makes jobs run again now; wakes idle workers. */
export async function retryJobs(c: Connection, ids: readonly string[]): Promise<Job[]> {
  if (ids.length === 0) return [];
  return (await c.sql.unsafe<JobRow[]>(RETRY, [pgArray(ids)])).map(rowToJob);
}

const DELETE = `WITH changed AS (
  DELETE FROM jobs WHERE id = ANY($1::bigint[]) AND state <> 'running' RETURNING id, state
  ), ${notifyChangesCtes('delete', 'changed')}
  SELECT changed.id FROM changed ${NOTIFIED_JOIN}`;

/** Deletes jobs that are not running; returns how many went. */
export async function deleteJobs(c: Connection, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const rows = await c.sql.unsafe(DELETE, [pgArray(ids)]);
  return rows.length;
}

/**
 * Stores progress and appends log lines (keeping the newest MAX_LOG_LINES) of a running
 * attempt; false when that attempt no longer runs under `workerId`.
 */
export async function setJobProgress(
  c: Connection,
  params: {
    readonly workerId: string;
    readonly id: string;
    readonly attempt: number;
    readonly progress?: JsonValue;
    readonly logs?: readonly JobLogLine[];
  },
): Promise<boolean> {
  const rows = await c.sql.unsafe(
    `WITH changed AS (
      UPDATE jobs j
        SET progress = CASE WHEN $3::boolean THEN $4::jsonb ELSE j.progress END,
            logs = CASE WHEN $5::jsonb = '[]'::jsonb THEN j.logs ELSE (
              SELECT COALESCE(jsonb_agg(e ORDER BY o), '[]'::jsonb) FROM (
                SELECT e, o FROM jsonb_array_elements(j.logs || $5::jsonb) WITH ORDINALITY AS t(e, o)
                ORDER BY o DESC LIMIT ${MAX_LOG_LINES}) recent) END
      WHERE j.id = $1 AND j.state = 'running' AND j.lease_owner = $2 AND j.attempt = $6
      RETURNING j.id, j.state
    ), ${notifyChangesCtes('progress', 'changed')}
    SELECT changed.id FROM changed ${NOTIFIED_JOIN}`,
    [
      params.id,
      params.workerId,
      params.progress !== undefined,
      params.progress === undefined ? null : JSON.stringify(params.progress),
      JSON.stringify(params.logs ?? []),
      params.attempt,
    ],
  );
  return rows.length > 0;
}
