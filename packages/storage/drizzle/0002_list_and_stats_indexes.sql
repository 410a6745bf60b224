CREATE INDEX "jobs_queue_id_idx" ON "jobs" USING btree ("queue","id");--> statement-breakpoint
CREATE INDEX "jobs_handler_method_id_idx" ON "jobs" USING btree ("handler","method","id");--> statement-breakpoint
CREATE INDEX "jobs_finished_at_idx" ON "jobs" USING btree ("finished_at") WHERE "jobs"."finished_at" IS NOT NULL;