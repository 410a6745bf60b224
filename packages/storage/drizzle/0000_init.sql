CREATE TABLE "job_queues" (
	"name" text PRIMARY KEY NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"queue" text DEFAULT 'default' NOT NULL,
	"handler" text NOT NULL,
	"method" text NOT NULL,
	"params" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"timeout_ms" integer,
	"progress" jsonb,
	"result" jsonb,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"logs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"unique_key" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"backoff" jsonb NOT NULL,
	CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" IN ('scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "jobs_attempt_check" CHECK ("jobs"."attempt" >= 0 AND "jobs"."attempt" <= "jobs"."max_attempts")
);
--> statement-breakpoint
CREATE INDEX "jobs_claim_idx" ON "jobs" USING btree ("priority" DESC NULLS FIRST,"run_at","id") WHERE "jobs"."state" IN ('scheduled', 'queued', 'retrying');--> statement-breakpoint
CREATE INDEX "jobs_lease_idx" ON "jobs" USING btree ("lease_expires_at") WHERE "jobs"."state" = 'running';--> statement-breakpoint
CREATE INDEX "jobs_state_id_idx" ON "jobs" USING btree ("state","id");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_unique_key_idx" ON "jobs" USING btree ("unique_key") WHERE "jobs"."unique_key" IS NOT NULL AND "jobs"."state" IN ('scheduled', 'queued', 'running', 'retrying');