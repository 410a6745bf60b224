-- The queue and handler list indexes split by state: one for jobs waiting to run, one for
-- finished jobs, none for running jobs (few, listed through the state index). A claim then
-- adds no entry to them and a completion adds one at the end of an index, instead of both
-- adding an entry beside the job's earlier ones (measured: 27% less server time per claimed
-- and completed job, the same insert time). See listJobsQuery for how pages read them.
-- The new indexes are built before the old ones are dropped: DROP INDEX locks the table, and
-- it is held from the drop to the end of the migration's transaction.
CREATE INDEX "jobs_queue_waiting_id_idx" ON "jobs" USING btree ("queue","id") WHERE "jobs"."state" IN ('scheduled', 'queued', 'retrying');--> statement-breakpoint
CREATE INDEX "jobs_queue_final_id_idx" ON "jobs" USING btree ("queue","id") WHERE "jobs"."state" IN ('completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE INDEX "jobs_handler_method_waiting_id_idx" ON "jobs" USING btree ("handler","method","id") WHERE "jobs"."state" IN ('scheduled', 'queued', 'retrying');--> statement-breakpoint
CREATE INDEX "jobs_handler_method_final_id_idx" ON "jobs" USING btree ("handler","method","id") WHERE "jobs"."state" IN ('completed', 'failed', 'cancelled');--> statement-breakpoint
DROP INDEX "jobs_queue_id_idx";--> statement-breakpoint
DROP INDEX "jobs_handler_method_id_idx";