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
 * Whether the limited claim can find anything (of the queues `$4` unless null): some queue
 * sets a concurrency or rate limit, or some waiting job carries a concurrency key. Checked in
 * the statement, so that a claim without limited work does not call the plpgsql function at
 * all (measured after an idle gap: the call was a sixth of a one-job claim's round trip). Read
 * in the statement's snapshot: a limit or keyed job committed during the claim is seen by the
 * next one, as it would be by the function's own look-up an instant earlier.
 *
 * The keyed look-up asks for the first job in the order of the keyed-jobs index
 * (`jobs_keyed_waiting_idx`) rather than whether one exists: statistics taken while keyed jobs
 * waited, and stale since they finished, had EXISTS planned as a scan of the whole table that
 * stops at the first match (there was none: 7 to 11 ms on 80,000 jobs, on every claim); with
 * the order, any plan without the index must read and sort every row first.
 */
const LIMITED_WORK = `EXISTS (SELECT 1 FROM job_queues s
                WHERE (s.concurrency IS NOT NULL OR s.rate_limit IS NOT NULL)
                  AND ($4::text[] IS NULL OR s.name = ANY($4::text[])))
        OR (SELECT k.id FROM jobs k
             WHERE k.concurrency_key IS NOT NULL AND k.state IN (${sqlList(RUNNABLE_STATES)})
               AND ($4::text[] IS NULL OR k.queue = ANY($4::text[]))
             ORDER BY k.queue, k.priority DESC, k.run_at, k.id
             LIMIT 1) IS NOT NULL`;

/**
 * The due, runnable jobs, in two parts: those of limited queues and keyed jobs, at most `$5`
 * (`jobs_claim_limited`, claim-limited.ts: under each queue's claim lock, within its limits;
 * called only when LIMITED_WORK says there may be some), then those of unpaused, unlimited
 * queues for the rest of `$1` (`jobs_claim_candidates`, claim-candidates.ts, which plans
 * without sorting so the claim reads its index in order even when the table's statistics are
 * stale). `$4` narrows the queues when not null. `announce`: the claim notifies the schema's
 * channel of the jobs it started; a pool opened with change events off never would (its
 * session setting filters them out), so its claim leaves those steps out of the statement
 * (measured after an idle gap: 4 % of a one-job claim's round trip).
 */
function claimStatement(announce: boolean): string {
  return `WITH limited AS (SELECT ${CLAIM_LIMITED_FUNCTION}($5, $4::text[]) AS id WHERE ${LIMITED_WORK}),
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
    )${announce ? `, ${notifyChangesCtes('claim', 'claimed')}` : ''}
    SELECT ${claimedColumnsFrom('claimed')},
           claimed.id IN (SELECT id FROM limited) AS "claimedLimited"
      FROM claimed${announce ? ` ${NOTIFIED_JOIN}` : ''}`;
}

export const CLAIM = claimStatement(true);
const CLAIM_QUIET = claimStatement(false);

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
      c.changeEvents ? CLAIM : CLAIM_QUIET,
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
