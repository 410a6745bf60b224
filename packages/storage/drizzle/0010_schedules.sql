CREATE TABLE "schedules" (
	"name" text PRIMARY KEY NOT NULL,
	"cron" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"handler" text NOT NULL,
	"method" text NOT NULL,
	"params" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"catch_up" text DEFAULT 'last' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"source" text NOT NULL,
	"removed_at" timestamp with time zone,
	"last_tick" timestamp with time zone,
	"next_tick" timestamp with time zone,
	"last_error" text,
	"last_fired_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_catch_up_check" CHECK ("schedules"."catch_up" IN ('none', 'last', 'all')),
	CONSTRAINT "schedules_source_check" CHECK ("schedules"."source" IN ('config', 'api')),
	CONSTRAINT "schedules_params_check" CHECK (jsonb_typeof("schedules"."params") = 'array'),
	CONSTRAINT "schedules_options_check" CHECK (jsonb_typeof("schedules"."options") = 'object')
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "schedule_name" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "schedule_tick" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_tick") WHERE "schedules"."enabled" AND "schedules"."removed_at" IS NULL AND "schedules"."next_tick" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_schedule_tick_idx" ON "jobs" USING btree ("schedule_name","schedule_tick") WHERE "jobs"."schedule_name" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "jobs_schedule_id_idx" ON "jobs" USING btree ("schedule_name","id") WHERE "jobs"."schedule_name" IS NOT NULL;