import type { Job } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { JOB_COLUMNS_SQL, rowToJob } from '../rows.js';
import type { JobRow } from '../schema.js';
import { NOTIFIED_JOIN, notifyChangesCtes } from './notify.js';

/** The due, runnable jobs of unpaused queues, in claim order; `$queues` narrows it when given. */
function candidates(withQueues: boolean): string {
  return `SELECT id FROM jobs
    WHERE state IN ('scheduled', 'queued', 'retrying')
      AND run_at <= now()
      AND attempt < max_attempts
      ${withQueues ? 'AND queue = ANY($4::text[])' : ''}
      AND NOT EXISTS (SELECT 1 FROM job_queues q WHERE q.name = jobs.queue AND q.paused)
    ORDER BY priority DESC, run_at, id
    LIMIT $1
    FOR UPDATE SKIP LOCKED`;
}

function claimStatement(withQueues: boolean): string {
  return `WITH next AS (${candidates(withQueues)}), claimed AS (
    UPDATE jobs j
       SET state = 'running', attempt = j.attempt + 1, started_at = now(),
           lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond'
      FROM next
     WHERE j.id = next.id
    RETURNING ${JOB_COLUMNS_SQL}
    ), ${notifyChangesCtes('claim', 'claimed')}
    SELECT claimed.* FROM claimed ${NOTIFIED_JOIN}`;
}

const CLAIM_ALL = claimStatement(false);
const CLAIM_SOME = claimStatement(true);

/** The text of the claim's row selection, for EXPLAIN in tests. */
export const CLAIM_CANDIDATES_SQL = candidates(false);

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
  const args: (string | number)[] = [params.limit, params.workerId, params.leaseMs];
  if (params.queues !== null) args.push(pgArray(params.queues));
  const rows = await c.sql.unsafe<JobRow[]>(params.queues === null ? CLAIM_ALL : CLAIM_SOME, args, {
    prepare: true,
  });
  return rows.map(rowToJob);
}
