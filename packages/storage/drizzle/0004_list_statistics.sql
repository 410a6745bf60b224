-- Lets the planner see how state correlates with queue and with handler/method, so that a
-- list filtered by both picks the right index (or a small bitmap) instead of walking every
-- job in one state. Costs nothing on writes; ANALYZE (autovacuum) keeps them current.
CREATE STATISTICS IF NOT EXISTS "jobs_state_queue_stats" (mcv) ON "state", "queue" FROM "jobs";
--> statement-breakpoint
CREATE STATISTICS IF NOT EXISTS "jobs_state_handler_stats" (mcv) ON "state", "handler", "method" FROM "jobs";
