import { type DependencyPolicy, FINAL_STATES, RUNNABLE_STATES } from '@jobs/core';
import { sqlList } from './state-list.js';

/**
 * Settling dependents, inside the statement that finishes a dependency: every path that
 * finishes a job (the worker's batched completions and failures, rescue of expired leases,
 * cancel, delete, a hand-written UPDATE) runs the same trigger, in its own transaction, so a
 * worker that dies there either commits the completion and the release together or neither.
 *
 * Each dependent has a row in job_dependency_counts holding how many of its dependencies are
 * not settled. A finishing dependency marks its edges settled (once: `NOT settled`) and takes
 * one off each dependent's count; the dependent whose count reaches 0 is released. Concurrent
 * completions of two dependencies of one job serialize on that count row (the second UPDATE
 * waits for the first to commit and then reads its value), so exactly one of them sees 0: no
 * lost and no doubled wake-up, and the work per completion does not grow with the number of
 * dependencies (a fan-in of 10,000). Count rows are locked in job id order first, so that
 * completions sharing dependents do not deadlock within a statement.
 *
 * The triggers fire only for jobs marked `has_dependents` (migration 0017): the flow insert
 * marks every job it makes a dependency, new or existing, in the transaction that adds the
 * edges. An ordinary job never has a dependent, so its completion runs no trigger at all
 * (measured, EXPLAIN ANALYZE of 500-job completions: 3.3-4.3 ms of 10.7-14.6 went to trigger
 * calls that found nothing to settle).
 */

/** The trigger function (created by migration 0014). */
export const FLOW_SETTLE_FUNCTION = 'jobs_flow_settle';

/** The column that marks a job some other job depends on (migration 0017). */
export const HAS_DEPENDENTS_COLUMN = 'has_dependents';

/** The states a job may be released to, and the one it waits in (core's names). */
const [QUEUED, SCHEDULED] = (['queued', 'scheduled'] as const).map((state) => {
  if (!(RUNNABLE_STATES as readonly string[]).includes(state)) throw new Error(state);
  return `'${state}'`;
});
const FINAL = sqlList(FINAL_STATES);
const COMPLETED = sqlList(['completed']);
const WAITING = sqlList(['waiting']);
const CANCELLED = sqlList(['cancelled']);
const UNSUCCESSFUL = sqlList(['failed', 'cancelled']);
const CANCEL: DependencyPolicy = 'cancel';

/** The body of `jobs_flow_settle()`, written from core's state names. */
export function flowSettleBody(): string {
  return `
DECLARE
  dep_id bigint;
  dep_state text;
  released integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    dep_id := OLD.id;
    dep_state := 'deleted';
  ELSE
    dep_id := NEW.id;
    dep_state := NEW.state;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.state NOT IN (${FINAL}) THEN
    -- It left failed or cancelled (a hand retry): its unfinished dependents wait for it again,
    -- and those it cancelled are re-armed, unless another failed dependency still holds them.
    UPDATE job_dependencies d SET settled = false
      FROM jobs w
     WHERE d.depends_on = dep_id AND d.settled AND w.id = d.job_id
       AND (w.state = ${WAITING} OR (w.state = ${CANCELLED} AND d.cancelled));
    UPDATE jobs w SET state = ${WAITING}, finished_at = NULL
      FROM job_dependencies d
     WHERE d.depends_on = dep_id AND d.cancelled AND w.id = d.job_id AND w.state = ${CANCELLED}
       AND NOT EXISTS (
         SELECT 1 FROM job_dependencies o JOIN jobs p ON p.id = o.depends_on
          WHERE o.job_id = w.id AND o.depends_on <> dep_id AND o.policy = '${CANCEL}'
            AND p.state IN (${UNSUCCESSFUL}));
    UPDATE job_dependencies o SET cancelled = true
      FROM job_dependencies d, jobs p
     WHERE d.depends_on = dep_id AND d.cancelled AND o.job_id = d.job_id
       AND o.depends_on <> dep_id AND o.policy = '${CANCEL}' AND p.id = o.depends_on
       AND p.state IN (${UNSUCCESSFUL});
    UPDATE job_dependencies SET cancelled = false WHERE depends_on = dep_id AND cancelled;
    UPDATE job_dependency_counts c
       SET pending = (SELECT count(*) FROM job_dependencies e
                       WHERE e.job_id = c.job_id AND NOT e.settled)
     WHERE c.job_id IN (SELECT d.job_id FROM job_dependencies d WHERE d.depends_on = dep_id);
    RETURN NULL;
  END IF;
  PERFORM 1 FROM job_dependency_counts c
   WHERE c.job_id IN (SELECT d.job_id FROM job_dependencies d
                       WHERE d.depends_on = dep_id AND NOT d.settled)
   ORDER BY c.job_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
  END IF;
  WITH settled AS (
    UPDATE job_dependencies d SET settled = true,
           cancelled = (dep_state NOT IN (${COMPLETED}) AND d.policy = '${CANCEL}'
                        AND w.state = ${WAITING})
      FROM jobs w
     WHERE d.depends_on = dep_id AND NOT d.settled AND w.id = d.job_id
    RETURNING d.job_id, d.cancelled
  ), counted AS (
    UPDATE job_dependency_counts c SET pending = c.pending - 1
      FROM settled s
     WHERE c.job_id = s.job_id
    RETURNING c.job_id, c.pending, s.cancelled
  ), cancelled AS (
    -- Failed, cancelled or deleted: a dependent with the cancel policy is cancelled, saying why.
    UPDATE jobs w
       SET state = ${CANCELLED}, finished_at = now(),
           logs = w.logs || jsonb_build_array(jsonb_build_object(
             'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'line', 'cancelled: dependency ' || dep_id || ' ' || dep_state))
      FROM counted k
     WHERE w.id = k.job_id AND k.cancelled AND w.state = ${WAITING}
    RETURNING w.id
  )
  -- Released: the dependents whose last dependency this was.
  UPDATE jobs w
     SET state = CASE WHEN w.run_at > now() THEN ${SCHEDULED} ELSE ${QUEUED} END
    FROM counted k
   WHERE w.id = k.job_id AND k.pending = 0 AND NOT k.cancelled AND w.state = ${WAITING};
  GET DIAGNOSTICS released = ROW_COUNT;
  IF released > 0 THEN
    -- Idle workers wake up at commit, as for new jobs (one notification per transaction).
    PERFORM pg_notify('jobs:' || TG_TABLE_SCHEMA, '{"type":"inserted"}');
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END
`;
}

/**
 * The statements a migration writes to (re-)create the function and its two triggers (after
 * dropping the triggers it replaces).
 */
export function flowSettleSql(): string[] {
  return [
    `CREATE OR REPLACE FUNCTION "${FLOW_SETTLE_FUNCTION}"() RETURNS trigger
LANGUAGE plpgsql
AS $$${flowSettleBody()}$$;`,
    `CREATE TRIGGER "jobs_flow_settle_update" AFTER UPDATE OF state ON "jobs"
  FOR EACH ROW
  WHEN (NEW."${HAS_DEPENDENTS_COLUMN}" AND OLD.state IS DISTINCT FROM NEW.state
        AND (NEW.state IN (${FINAL}) OR OLD.state IN (${UNSUCCESSFUL})))
  EXECUTE FUNCTION "${FLOW_SETTLE_FUNCTION}"();`,
    `CREATE TRIGGER "jobs_flow_settle_delete" BEFORE DELETE ON "jobs"
  FOR EACH ROW
  WHEN (OLD."${HAS_DEPENDENTS_COLUMN}" AND OLD.state NOT IN (${FINAL}))
  EXECUTE FUNCTION "${FLOW_SETTLE_FUNCTION}"();`,
  ];
}
