-- Row shapes: what rowToJob cannot read is refused on every insert and update, and a job keeps
-- a bounded list of attempt errors (the first and the last ones) with a count of those dropped.
-- Existing rows are repaired where their meaning is clear, so that no update of an old row
-- trips the new checks: errors and logs that are not arrays become empty arrays, NULL tags are
-- removed, an unreadable backoff becomes the default policy. An unfinished job whose params are
-- not an array is failed the way a worker fails it (it could never run). Its params stay as
-- they were: the checks are added NOT VALID (no scan, nothing old refused) and readers pass
-- such params on; retrying such a job is refused.
ALTER TABLE "jobs" ADD COLUMN "errors_dropped" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "jobs" SET "errors" = '[]'::jsonb WHERE jsonb_typeof("errors") <> 'array';--> statement-breakpoint
UPDATE "jobs" SET "logs" = '[]'::jsonb WHERE jsonb_typeof("logs") <> 'array';--> statement-breakpoint
UPDATE "jobs" SET "tags" = array_remove("tags", NULL) WHERE array_position("tags", NULL) IS NOT NULL;--> statement-breakpoint
UPDATE "jobs" SET "backoff" = '{"kind":"exponential","baseMs":1000,"factor":2,"maxMs":3600000,"jitter":0.2}'::jsonb
  WHERE jsonb_typeof("backoff") <> 'object' OR "backoff"->>'kind' IS NULL OR "backoff"->>'kind' NOT IN ('fixed', 'exponential');--> statement-breakpoint
UPDATE "jobs" SET "state" = 'failed', "finished_at" = now(), "lease_owner" = NULL, "lease_expires_at" = NULL,
    "errors" = "errors" || jsonb_build_array(jsonb_build_object(
      'attempt', "attempt",
      'message', 'params: must be an array of arguments, not ' || jsonb_typeof("params"),
      'name', 'ValidationError',
      'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
  WHERE jsonb_typeof("params") <> 'array' AND "state" NOT IN ('completed', 'failed', 'cancelled');--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_params_check" CHECK (jsonb_typeof("jobs"."params") = 'array') NOT VALID;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_errors_check" CHECK (jsonb_typeof("jobs"."errors") = 'array') NOT VALID;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_errors_dropped_check" CHECK ("jobs"."errors_dropped" >= 0) NOT VALID;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_logs_check" CHECK (jsonb_typeof("jobs"."logs") = 'array') NOT VALID;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_tags_check" CHECK (array_position("jobs"."tags", NULL) IS NULL) NOT VALID;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_backoff_check" CHECK (jsonb_typeof("jobs"."backoff") = 'object' AND "jobs"."backoff"->>'kind' IN ('fixed', 'exponential')) NOT VALID;
