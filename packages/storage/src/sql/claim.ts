import { type ClaimedJob, RUNNABLE_STATES } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import {
  CLAIMED_COLUMN_COUNT,
  CLAIMED_COLUMNS_SQL,
  claimedColumnsFrom,
  claimedRow,
  rowToJob,
} from '../rows.js';
import { CLAIM_CANDIDATES_FUNCTION } from './claim-candidates.js';
import { CLAIM_LIMITED_FUNCTION } from './claim-limited.js';
import { NOTIFIED_JOIN, notifyChangesCtes } from './notify.js';
import { sqlList } from './state-list.js';

/** The function that says whether unlimited work waits (created by migration 0016). */
export const UNLIMITED_WORK_FUNCTION = 'jobs_unlimited_work';

/**
 * The body of `jobs_unlimited_work(only_queues)`: true when some unpaused, unlimited queue (of
 * `only_queues` unless null) has waiting jobs. While some queue is limited, the unlimited claim
 * runs only then, so that it does not read through the waiting jobs of limited queues (which it
 * skips) for nothing; without limited queues it always runs, as before. Every queue with jobs
 * has a settings row (inserts write it; migration 0013 adds the missing ones).
 */
export function unlimitedWorkBody(): string {
  return `
  SELECT EXISTS (SELECT 1 FROM job_queues u
          WHERE NOT u.paused AND u.concurrency IS NULL AND u.rate_limit IS NULL
            AND (only_queues IS NULL OR u.name = ANY(only_queues))
            AND EXISTS (SELECT 1 FROM jobs w WHERE w.queue = u.name
                          AND w.state IN (${sqlList(RUNNABLE_STATES)})))
`;
}

/**
 * The statement a migration writes to (re-)create the function. It runs with sequential and
 * bitmap scans off: written into the claim, the look-up was planned from the table's statistics
 * as a hashed scan of every waiting job, or a scan from the table's start through every finished
 * job (40 ms with 37,000 waiting); on its own it reads a queue's waiting jobs from their index
 * and stops at the first.
 */
export function unlimitedWorkFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "${UNLIMITED_WORK_FUNCTION}"("only_queues" text[])
RETURNS boolean
LANGUAGE sql
STABLE
SET enable_seqscan = off
SET enable_bitmapscan = off
AS $$${unlimitedWorkBody()}$$;`;
}

/**
 * The due, runnable jobs, in two parts: those of limited queues and keyed jobs, at most `$5`
 * (`jobs_claim_limited`, claim-limited.ts: under each queue's claim lock, within its limits),
 * then those of unpaused, unlimited queues for the rest of `$1` (`jobs_claim_candidates`,
 * claim-candidates.ts, which plans without sorting so the claim reads its index in order even
 * when the table's statistics are stale). `$4` narrows the queues when not null. Without
 * limited queues the first part reads the small queue-settings table and returns nothing.
 */
const CLAIM = `WITH limited AS (SELECT ${CLAIM_LIMITED_FUNCTION}($5, $4::text[]) AS id),
    next AS (
      SELECT id FROM limited
      UNION ALL
      SELECT ${CLAIM_CANDIDATES_FUNCTION}($1 - (SELECT count(*)::integer FROM limited), $4::text[])
       WHERE NOT EXISTS (SELECT 1 FROM job_queues l
                          WHERE l.concurrency IS NOT NULL OR l.rate_limit IS NOT NULL)
          OR ${UNLIMITED_WORK_FUNCTION}($4::text[])
    ), claimed AS (
    UPDATE jobs j
       SET state = ${sqlList(['running'])}, attempt = j.attempt + 1, started_at = now(),
           lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond'
      FROM next
     WHERE j.id = next.id
    RETURNING j.state, ${CLAIMED_COLUMNS_SQL}
    ), ${notifyChangesCtes('claim', 'claimed')}
    SELECT ${claimedColumnsFrom('claimed')},
           claimed.id IN (SELECT id FROM limited) AS "claimedLimited"
      FROM claimed ${NOTIFIED_JOIN}`;

/**
 * Claims up to `limit` due jobs in one statement, skipping rows other workers hold; at most
 * `startLimit` of them from limited queues (see `JobStore.jobClaim`).
 */
export async function claimJobs(
  c: Connection,
  params: {
    readonly workerId: string;
    readonly queues: readonly string[] | null;
    readonly limit: number;
    readonly leaseMs: number;
    readonly startLimit?: number;
  },
): Promise<ClaimedJob[]> {
  if (params.limit <= 0 || params.queues?.length === 0) return [];
  const queues = params.queues === null ? null : pgArray(params.queues);
  const rows = await c.sql
    .unsafe<unknown[][]>(
      CLAIM,
      [
        params.limit,
        params.workerId,
        params.leaseMs,
        queues,
        Math.min(params.limit, params.startLimit ?? params.limit),
      ],
      { prepare: true },
    )
    .values();
  return rows.map((values): ClaimedJob => {
    const job = rowToJob(claimedRow(values, params.workerId));
    return values[CLAIMED_COLUMN_COUNT] === true ? { ...job, limited: true } : job;
  });
}
