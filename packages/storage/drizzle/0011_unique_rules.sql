-- Unique jobs a caller can see: an index for the holder lookup of uniqueFor/uniqueStates. The
-- enqueue functions that lock the key and apply the rule (and enqueue_status,
-- enqueue_many_status) are written once, by 0014, from enqueueFunctionsSql().
CREATE INDEX "jobs_unique_key_created_idx" ON "jobs" USING btree ("unique_key","created_at") WHERE "jobs"."unique_key" IS NOT NULL;
