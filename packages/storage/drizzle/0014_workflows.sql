CREATE TABLE "job_dependencies" (
	"job_id" bigint NOT NULL,
	"depends_on" bigint NOT NULL,
	"policy" text NOT NULL,
	"position" integer NOT NULL,
	"depends_on_key" text,
	"cancelled" boolean DEFAULT false NOT NULL,
	CONSTRAINT "job_dependencies_job_id_depends_on_pk" PRIMARY KEY("job_id","depends_on"),
	CONSTRAINT "job_dependencies_policy_check" CHECK ("job_dependencies"."policy" IN ('cancel', 'run'))
);
--> statement-breakpoint
ALTER TABLE "jobs" DROP CONSTRAINT "jobs_state_check";--> statement-breakpoint
DROP INDEX "jobs_unique_key_idx";--> statement-breakpoint
ALTER TABLE "job_dependencies" ADD CONSTRAINT "job_dependencies_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_dependencies" ADD CONSTRAINT "job_dependencies_depends_on_jobs_id_fk" FOREIGN KEY ("depends_on") REFERENCES "jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_dependencies_depends_on_idx" ON "job_dependencies" USING btree ("depends_on");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_unique_key_idx" ON "jobs" USING btree ("unique_key") WHERE "jobs"."unique_key" IS NOT NULL AND "jobs"."state" IN ('waiting', 'scheduled', 'queued', 'running', 'retrying');--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" IN ('waiting', 'scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled'));--> statement-breakpoint
-- Settles dependents inside the statement that finishes a dependency (see src/sql/flow-trigger.ts).
CREATE OR REPLACE FUNCTION "jobs_flow_settle"() RETURNS trigger
LANGUAGE plpgsql
AS $$
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
  IF TG_OP = 'UPDATE' AND NEW.state NOT IN ('completed', 'failed', 'cancelled') THEN
    -- It left failed or cancelled (a hand retry): re-arm the dependents it cancelled.
    -- One still held by another failed or cancelled dependency stays cancelled, held by it.
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
    RETURN NULL;
  END IF;
  PERFORM 1 FROM jobs w
   WHERE w.id IN (SELECT d.job_id FROM job_dependencies d WHERE d.depends_on = dep_id)
     AND w.state = 'waiting'
   ORDER BY w.id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
  END IF;
  IF dep_state NOT IN ('completed') THEN
    -- Failed, cancelled or deleted: dependents with the cancel policy are cancelled, saying why.
    WITH hit AS (
      UPDATE job_dependencies d SET cancelled = true
        FROM jobs w
       WHERE d.depends_on = dep_id AND d.policy = 'cancel' AND w.id = d.job_id
         AND w.state = 'waiting'
      RETURNING d.job_id
    )
    UPDATE jobs w
       SET state = 'cancelled', finished_at = now(),
           logs = w.logs || jsonb_build_array(jsonb_build_object(
             'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'line', 'cancelled: dependency ' || dep_id || ' ' || dep_state))
     WHERE w.id IN (SELECT job_id FROM hit) AND w.state = 'waiting';
  END IF;
  -- Release the dependents whose every other dependency is settled.
  UPDATE jobs w
     SET state = CASE WHEN w.run_at > now() THEN 'scheduled' ELSE 'queued' END
   WHERE w.id IN (SELECT d.job_id FROM job_dependencies d WHERE d.depends_on = dep_id)
     AND w.state = 'waiting'
     AND NOT EXISTS (
       SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on
        WHERE d.job_id = w.id
          AND NOT (p.id = dep_id AND TG_OP = 'DELETE')
          AND NOT (p.state IN ('completed')
                   OR (p.state IN ('failed', 'cancelled') AND d.policy = 'run')));
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "jobs_flow_settle_update" AFTER UPDATE OF state ON "jobs"
  FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state
        AND (NEW.state IN ('completed', 'failed', 'cancelled') OR OLD.state IN ('failed', 'cancelled')))
  EXECUTE FUNCTION "jobs_flow_settle"();
--> statement-breakpoint
CREATE TRIGGER "jobs_flow_settle_delete" BEFORE DELETE ON "jobs"
  FOR EACH ROW
  WHEN (OLD.state NOT IN ('completed', 'failed', 'cancelled'))
  EXECUTE FUNCTION "jobs_flow_settle"();
