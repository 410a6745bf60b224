import type { Job } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { JOB_COLUMNS_SQL, rowToJob } from '../rows.js';
import type { JobRow } from '../schema.js';
import { CLAIM_CANDIDATES_FUNCTION } from './claim-candidates.js';
import { NOTIFIED_JOIN, notifyChangesCtes } from './notify.js';
import { sqlList } from './state-list.js';

/**
 * The due, runnable jobs of unpaused queues, in claim order (`$4` narrows the queues when not
 * null): `jobs_claim_candidates` (claim-candidates.ts), which plans without sorting so the claim
 * reads its index in order even when the table's statistics are stale.
 */
const CLAIM = `WITH next AS (SELECT ${CLAIM_CANDIDATES_FUNCTION}($1, $4::text[]) AS id), claimed AS (
    UPDATE jobs j
       SET state = ${sqlList(['running'])}, attempt = j.attempt + 1, started_at = now(),
           lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond'
      FROM next
     WHERE j.id = next.id
    RETURNING ${JOB_COLUMNS_SQL}
    ), ${notifyChangesCtes('claim', 'claimed')}
    SELECT claimed.* FROM claimed ${NOTIFIED_JOIN}`;

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
