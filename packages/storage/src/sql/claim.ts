import type { Job } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { JOB_COLUMNS_SQL, rowToJob } from '../rows.js';
import type { JobRow } from '../schema.js';
import { NOTIFIED_JOIN, notifyChangesCtes } from './notify.js';

/**
 * The due, runnable jobs of unpaused queues, in claim order (`$4` narrows the queues when not
 * null): migration 0006's `jobs_claim_candidates`, which plans without sorting so the claim
 * reads its index in order even when the table's statistics are stale.
 */
const CLAIM = `WITH next AS (SELECT jobs_claim_candidates($1, $4::text[]) AS id), claimed AS (
    UPDATE jobs j
       SET state = 'running', attempt = j.attempt + 1, started_at = now(),
           lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond'
      FROM next
     WHERE j.id = next.id
    RETURNING ${JOB_COLUMNS_SQL}
    ), ${notifyChangesCtes('claim', 'claimed')}
    SELECT claimed.* FROM claimed ${NOTIFIED_JOIN}`;

/** The body of `jobs_claim_candidates` for all queues, for EXPLAIN in tests. */
export const CLAIM_CANDIDATES_SQL = `SELECT id FROM jobs
   WHERE state IN ('scheduled', 'queued', 'retrying')
     AND run_at <= now()
     AND attempt < max_attempts
     AND NOT EXISTS (SELECT 1 FROM job_queues q WHERE q.name = jobs.queue AND q.paused)
   ORDER BY priority DESC, run_at, id
   LIMIT $1
   FOR UPDATE SKIP LOCKED`;

/** Claims up to `limit` due jobs in one statement, skipping rows other workers hold. */
export async function claimJobs(
  c: Connection,
  params: {
    readonly workerId: string;
    readonly queues: readonly string[] | null;
    readonly limit: number;
    readonly leaseMs: number;
  },
): Promise<Job[]> {
  if (params.limit <= 0 || params.queues?.length === 0) return [];
  const queues = params.queues === null ? null : pgArray(params.queues);
  const rows = await c.sql.unsafe<JobRow[]>(
    CLAIM,
    [params.limit, params.workerId, params.leaseMs, queues],
    { prepare: true },
  );
  return rows.map(rowToJob);
}
