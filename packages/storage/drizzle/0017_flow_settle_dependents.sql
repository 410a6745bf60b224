-- A job some other job depends on is marked (has_dependents), and the flow-settle triggers fire
-- for marked jobs only, so that ordinary completions, failures and deletes run no trigger
-- (see src/sql/flow-trigger.ts; the flow insert marks the jobs it makes dependencies).
ALTER TABLE "jobs" ADD COLUMN "has_dependents" boolean DEFAULT false NOT NULL;--> statement-breakpoint
DROP TRIGGER "jobs_flow_settle_update" ON "jobs";--> statement-breakpoint
DROP TRIGGER "jobs_flow_settle_delete" ON "jobs";--> statement-breakpoint
-- The jobs that already have dependents (flows enqueued before this migration).
UPDATE "jobs" SET "has_dependents" = true
 WHERE "id" IN (SELECT "depends_on" FROM "job_dependencies");--> statement-breakpoint
-- The function as 0014 wrote it, and its triggers with the new condition (flowSettleSql()).
CREATE OR REPLACE FUNCTION "jobs_flow_settle"() RETURNS trigger
LANGUAGE plpgsql
AS $$
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
  IF TG_OP = 'UPDATE' AND NEW.state NOT IN ('completed', 'failed', 'cancelled') THEN
    -- It left failed or cancelled (a hand retry): its unfinished dependents wait for it again,
    -- and those it cancelled are re-armed, unless another failed dependency still holds them.
    UPDATE job_dependencies d SET settled = false
      FROM jobs w
     WHERE d.depends_on = dep_id AND d.settled AND w.id = d.job_id
       AND (w.state = 'waiting' OR (w.state = 'cancelled' AND d.cancelled));
    UPDATE jobs w SET state = 'waiting', finished_at = NULL
      FROM job_dependencies d
     WHERE d.depends_on = dep_id AND d.cancelled AND w.id = d.job_id AND w.state = 'cancelled'
       AND NOT EXISTS (
         SELECT 1 FROM job_dependencies o JOIN jobs p ON p.id = o.depends_on
          WHERE o.job_id = w.id AND o.depends_on <> dep_id AND o.policy = 'cancel'
            AND p.state IN ('failed', 'cancelled'));
    UPDATE job_dependencies o SET cancelled = true
      FROM job_dependencies d, jobs p
     WHERE d.depends_on = dep_id AND d.cancelled AND o.job_id = d.job_id
       AND o.depends_on <> dep_id AND o.policy = 'cancel' AND p.id = o.depends_on
       AND p.state IN ('failed', 'cancelled');
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
           cancelled = (dep_state NOT IN ('completed') AND d.policy = 'cancel'
                        AND w.state = 'waiting')
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
       SET state = 'cancelled', finished_at = now(),
           logs = w.logs || jsonb_build_array(jsonb_build_object(
             'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'line', 'cancelled: dependency ' || dep_id || ' ' || dep_state))
      FROM counted k
     WHERE w.id = k.job_id AND k.cancelled AND w.state = 'waiting'
    RETURNING w.id
  )
  -- Released: the dependents whose last dependency this was.
  UPDATE jobs w
     SET state = CASE WHEN w.run_at > now() THEN 'scheduled' ELSE 'queued' END
    FROM counted k
   WHERE w.id = k.job_id AND k.pending = 0 AND NOT k.cancelled AND w.state = 'waiting';
  GET DIAGNOSTICS released = ROW_COUNT;
  IF released > 0 THEN
    -- Idle workers wake up at commit, as for new jobs (one notification per transaction).
    PERFORM pg_notify('jobs:' || TG_TABLE_SCHEMA, '{"type":"inserted"}');
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "jobs_flow_settle_update" AFTER UPDATE OF state ON "jobs"
  FOR EACH ROW
  WHEN (NEW."has_dependents" AND OLD.state IS DISTINCT FROM NEW.state
        AND (NEW.state IN ('completed', 'failed', 'cancelled') OR OLD.state IN ('failed', 'cancelled')))
  EXECUTE FUNCTION "jobs_flow_settle"();
--> statement-breakpoint
CREATE TRIGGER "jobs_flow_settle_delete" BEFORE DELETE ON "jobs"
  FOR EACH ROW
  WHEN (OLD."has_dependents" AND OLD.state NOT IN ('completed', 'failed', 'cancelled'))
  EXECUTE FUNCTION "jobs_flow_settle"();

