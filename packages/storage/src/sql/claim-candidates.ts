import { RUNNABLE_STATES } from '@jobs/core';
import { sqlList } from './state-list.js';

/** The function that picks the claim's rows (created by migration 0006, changed by 0013; see claim.ts). */
export const CLAIM_CANDIDATES_FUNCTION = 'jobs_claim_candidates';

/** The settings it runs with: no sorting, so its only ordered plan reads the claim index. */
export const CLAIM_CANDIDATES_CONFIG: readonly string[] = ['enable_sort=off'];

/**
 * The body of `jobs_claim_candidates(lim, only_queues)`, written from core's RUNNABLE_STATES:
 * the due, runnable jobs of unpaused, unlimited queues (of `only_queues` unless null) that
 * carry no concurrency key, in claim order, skipping rows other workers hold. Limited queues
 * and keyed jobs are claimed by `jobs_claim_limited` (claim-limited.ts). Migrations hold it as plain SQL; a test checks that the
 * function a migrated database runs is this text, so a change of core's states fails that test
 * until a new migration re-creates the function with `claimCandidatesFunctionSql()`.
 */
export function claimCandidatesBody(): string {
  return `
BEGIN
  RETURN QUERY SELECT id FROM jobs
   WHERE state IN (${sqlList(RUNNABLE_STATES)})
     AND run_at <= now()
     AND attempt < max_attempts
     AND (only_queues IS NULL OR queue = ANY(only_queues))
     AND concurrency_key IS NULL
     AND NOT EXISTS (SELECT 1 FROM job_queues q WHERE q.name = jobs.queue
                       AND (q.paused OR q.concurrency IS NOT NULL OR q.rate_limit IS NOT NULL))
   ORDER BY priority DESC, run_at, id
   LIMIT lim
   FOR UPDATE SKIP LOCKED;
END
`;
}

/**
 * The statement a migration writes to (re-)create the function. ROWS 50 keeps the claim's
 * update joining back to jobs on its primary key; plpgsql keeps the plan for the session.
 */
export function claimCandidatesFunctionSql(): string {
  const settings = CLAIM_CANDIDATES_CONFIG.map((s) => s.replace('=', ' = ')).join('\nSET ');
  return `CREATE OR REPLACE FUNCTION "${CLAIM_CANDIDATES_FUNCTION}"("lim" integer, "only_queues" text[])
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
ROWS 50
SET ${settings}
AS $$${claimCandidatesBody()}$$;`;
}
