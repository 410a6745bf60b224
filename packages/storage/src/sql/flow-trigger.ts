import { FINAL_STATES, RUNNABLE_STATES } from '@jobs/core';
import { sqlList } from './state-list.js';

/**
 * Settling dependents, inside the statement that finishes a dependency: every path that
 * finishes a job (the worker's batched completions and failures, rescue of expired leases,
 * cancel, delete, a hand-written UPDATE) runs the same trigger, in its own transaction, so a
 * worker that dies there either commits the completion and the release together or neither.
 *
 * Concurrency: the trigger first locks the waiting dependents in id order, then decides in new
 * statements (plpgsql takes a new snapshot per statement under READ COMMITTED). Of two
 * transactions finishing the last two dependencies of one job, the second to take the lock
 * sees the first's commit, so exactly one releases the job: no lost and no doubled wake-up.
 * The release itself is guarded by `state = 'waiting'`.
 */

/** The trigger function (created by migration 0014). */
export const FLOW_SETTLE_FUNCTION = 'jobs_flow_settle';

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

/** The body of `jobs_flow_settle()`, written from core's state names. */
export function flowSettleBody(): string {
  return `
DECLARE
  dep_id bigint;
  dep_state text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    dep_id := OLD.id;
    dep_state := 'deleted';
  ELSE
    dep_id := NEW.id;
    dep_state := NEW.state;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.state NOT IN (${FINAL}) THEN
    -- It left failed or cancelled (a hand retry): re-arm the dependents it cancelled.
    -- One still held by another failed or cancelled dependency stays cancelled, held by it.
    UPDATE jobs w SET state = ${WAITING}, finished_at = NULL
      FROM job_dependencies d
     WHERE d.depends_on = dep_id AND d.cancelled AND w.id = d.job_id AND w.state = ${CANCELLED}
       AND NOT EXISTS (
         SELECT 1 FROM job_dependencies o JOIN jobs p ON p.id = o.depends_on
          WHERE o.job_id = w.id AND o.depends_on <> dep_id AND o.policy = 'cancel'
            AND p.state IN (${UNSUCCESSFUL}));
    UPDATE job_dependencies o SET cancelled = true
      FROM job_dependencies d, jobs p
     WHERE d.depends_on = dep_id AND d.cancelled AND o.job_id = d.job_id
       AND o.depends_on <> dep_id AND o.policy = 'cancel' AND p.id = o.depends_on
       AND p.state IN (${UNSUCCESSFUL});
    UPDATE job_dependencies SET cancelled = false WHERE depends_on = dep_id AND cancelled;
    RETURN NULL;
  END IF;
  PERFORM 1 FROM jobs w
   WHERE w.id IN (SELECT d.job_id FROM job_dependencies d WHERE d.depends_on = dep_id)
     AND w.state = ${WAITING}
   ORDER BY w.id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
  END IF;
  IF dep_state NOT IN (${COMPLETED}) THEN
    -- Failed, cancelled or deleted: dependents with the cancel policy are cancelled, saying why.
    WITH hit AS (
      UPDATE job_dependencies d SET cancelled = true
        FROM jobs w
       WHERE d.depends_on = dep_id AND d.policy = 'cancel' AND w.id = d.job_id
         AND w.state = ${WAITING}
      RETURNING d.job_id
    )
    UPDATE jobs w
       SET state = ${CANCELLED}, finished_at = now(),
           logs = w.logs || jsonb_build_array(jsonb_build_object(
             'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'line', 'cancelled: dependency ' || dep_id || ' ' || dep_state))
     WHERE w.id IN (SELECT job_id FROM hit) AND w.state = ${WAITING};
  END IF;
  -- Release the dependents whose every other dependency is settled.
  UPDATE jobs w
     SET state = CASE WHEN w.run_at > now() THEN ${SCHEDULED} ELSE ${QUEUED} END
   WHERE w.id IN (SELECT d.job_id FROM job_dependencies d WHERE d.depends_on = dep_id)
     AND w.state = ${WAITING}
     AND NOT EXISTS (
       SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on
        WHERE d.job_id = w.id
          AND NOT (p.id = dep_id AND TG_OP = 'DELETE')
          AND NOT (p.state IN (${COMPLETED})
                   OR (p.state IN (${UNSUCCESSFUL}) AND d.policy = 'run')));
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END
`;
}

/** The statements a migration writes to (re-)create the function and its two triggers. */
export function flowSettleSql(): string[] {
  return [
    `CREATE OR REPLACE FUNCTION "${FLOW_SETTLE_FUNCTION}"() RETURNS trigger
LANGUAGE plpgsql
AS $$${flowSettleBody()}$$;`,
    `CREATE TRIGGER "jobs_flow_settle_update" AFTER UPDATE OF state ON "jobs"
  FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state
        AND (NEW.state IN (${FINAL}) OR OLD.state IN (${UNSUCCESSFUL})))
  EXECUTE FUNCTION "${FLOW_SETTLE_FUNCTION}"();`,
    `CREATE TRIGGER "jobs_flow_settle_delete" BEFORE DELETE ON "jobs"
  FOR EACH ROW
  WHEN (OLD.state NOT IN (${FINAL}))
  EXECUTE FUNCTION "${FLOW_SETTLE_FUNCTION}"();`,
  ];
}
