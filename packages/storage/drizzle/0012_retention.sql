CREATE TABLE "job_retention" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"completed_ms" bigint,
	"failed_ms" bigint,
	"cancelled_ms" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_retention_one_row" CHECK ("job_retention"."id"),
	CONSTRAINT "job_retention_ms_check" CHECK ("job_retention"."completed_ms" >= 0 AND "job_retention"."failed_ms" >= 0 AND "job_retention"."cancelled_ms" >= 0)
);
--> statement-breakpoint
ALTER TABLE "job_queues" ADD COLUMN "retention" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "jobs_prune_idx" ON "jobs" USING btree ("queue","state","finished_at") WHERE "jobs"."state" IN ('completed', 'failed', 'cancelled');--> statement-breakpoint
-- Issue 17 (retention). The defaults every daemon reads: completed 1 day, failed 14 days,
-- cancelled 7 days (milliseconds; NULL keeps forever, 0 deletes at once). A daemon whose
-- jobs.config.ts has `retention` replaces them when it starts.
INSERT INTO "job_retention" ("id", "completed_ms", "failed_ms", "cancelled_ms")
  VALUES (true, 86400000, 1209600000, 604800000) ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
-- A queue's overrides: an object of final state to milliseconds (0 or more) or null.
ALTER TABLE "job_queues" ADD CONSTRAINT "job_queues_retention_check" CHECK (
  jsonb_typeof("retention") = 'object'
  AND "retention" - 'completed' - 'failed' - 'cancelled' = '{}'::jsonb
  AND jsonb_typeof(COALESCE("retention"->'completed', 'null')) IN ('null', 'number')
  AND jsonb_typeof(COALESCE("retention"->'failed', 'null')) IN ('null', 'number')
  AND jsonb_typeof(COALESCE("retention"->'cancelled', 'null')) IN ('null', 'number')
  AND COALESCE(("retention"->>'completed')::numeric, 0) >= 0
  AND COALESCE(("retention"->>'failed')::numeric, 0) >= 0
  AND COALESCE(("retention"->>'cancelled')::numeric, 0) >= 0
);
--> statement-breakpoint
-- The pruner walks the queues of job_queues: give every queue that has jobs a row (inserts have
-- written one since 0000; this covers rows written by hand).
INSERT INTO "job_queues" ("name") SELECT DISTINCT "queue" FROM "jobs" ON CONFLICT ("name") DO NOTHING;
--> statement-breakpoint
-- A queue table churns: every job is inserted, updated two or three times and deleted. The
-- defaults (vacuum after 20 % of the table is dead, analyze after 10 %) let a table of
-- millions of rows carry hundreds of thousands of dead rows and stale statistics for the claim's
-- partial index. Vacuum after 1 % (plus 1,000 rows), also after inserts alone, analyze after 2 %,
-- and let vacuum work with a short cost delay.
ALTER TABLE "jobs" SET (
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_insert_scale_factor = 0.01,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_vacuum_cost_delay = 1
);
