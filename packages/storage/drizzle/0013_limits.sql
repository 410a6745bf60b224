CREATE TABLE "job_queue_starts" (
	"queue" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "job_queues" ADD COLUMN "concurrency" integer;--> statement-breakpoint
ALTER TABLE "job_queues" ADD COLUMN "key_concurrency" integer;--> statement-breakpoint
ALTER TABLE "job_queues" ADD COLUMN "rate_limit" integer;--> statement-breakpoint
ALTER TABLE "job_queues" ADD COLUMN "rate_period_ms" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "concurrency_key" text;--> statement-breakpoint
CREATE INDEX "job_queue_starts_queue_idx" ON "job_queue_starts" USING btree ("queue","started_at");--> statement-breakpoint
CREATE INDEX "jobs_keyed_waiting_idx" ON "jobs" USING btree ("queue","priority" DESC NULLS FIRST,"run_at","id") WHERE "jobs"."concurrency_key" IS NOT NULL AND "jobs"."state" IN ('scheduled', 'queued', 'retrying');--> statement-breakpoint
ALTER TABLE "job_queues" ADD CONSTRAINT "job_queues_concurrency_check" CHECK ("job_queues"."concurrency" >= 1);--> statement-breakpoint
ALTER TABLE "job_queues" ADD CONSTRAINT "job_queues_key_concurrency_check" CHECK ("job_queues"."key_concurrency" >= 1);--> statement-breakpoint
ALTER TABLE "job_queues" ADD CONSTRAINT "job_queues_rate_check" CHECK (("job_queues"."rate_limit" IS NULL AND "job_queues"."rate_period_ms" IS NULL) OR ("job_queues"."rate_limit" >= 1 AND "job_queues"."rate_period_ms" >= 1));
--> statement-breakpoint
-- Limits across every worker (issue 18). Queue settings gain concurrency, key_concurrency and a
-- rate (rate_limit per rate_period_ms); jobs gain a concurrency key. The unlimited claim skips
-- limited queues and keyed jobs and keeps its plan; jobs_claim_limited claims those under a
-- per-queue advisory lock. The enqueue functions that learn the concurrencyKey option are written
-- by 0014, from enqueueFunctionsSql().
CREATE OR REPLACE FUNCTION "jobs_claim_candidates"("lim" integer, "only_queues" text[])
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
ROWS 50
SET enable_sort = off
AS $$
BEGIN
  RETURN QUERY SELECT id FROM jobs
   WHERE state IN ('scheduled', 'queued', 'retrying')
     AND run_at <= now()
     AND attempt < max_attempts
     AND (only_queues IS NULL OR queue = ANY(only_queues))
     AND concurrency_key IS NULL
     AND NOT EXISTS (SELECT 1 FROM job_queues q WHERE q.name = jobs.queue
                       AND (q.paused OR q.concurrency IS NOT NULL OR q.rate_limit IS NOT NULL))
   ORDER BY priority DESC, run_at, id
   LIMIT lim
   FOR UPDATE SKIP LOCKED;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "jobs_claim_limited"("lim" integer, "only_queues" text[])
RETURNS SETOF bigint
LANGUAGE plpgsql
VOLATILE
ROWS 10
AS $$
DECLARE
  q record;
  room integer;
  free integer;
  total integer := 0;
  picked bigint[];
BEGIN
  IF lim IS NULL OR lim <= 0 THEN
    RETURN;
  END IF;
  FOR q IN
    SELECT s.name, s.concurrency, s.key_concurrency, s.rate_limit, s.rate_period_ms
      FROM job_queues s
     WHERE NOT s.paused
       AND (only_queues IS NULL OR s.name = ANY(only_queues))
       AND ((s.concurrency IS NOT NULL OR s.rate_limit IS NOT NULL)
            AND EXISTS (SELECT 1 FROM jobs w WHERE w.queue = s.name AND w.state IN ('scheduled', 'queued', 'retrying'))
         OR EXISTS (SELECT 1 FROM jobs k WHERE k.queue = s.name AND k.concurrency_key IS NOT NULL
                                          AND k.state IN ('scheduled', 'queued', 'retrying')))
     ORDER BY s.name
  LOOP
    EXIT WHEN total >= lim;
    PERFORM pg_advisory_xact_lock(hashtextextended('jobs:limit:' || current_schema() || ':' || q.name, 0));
    room := lim - total;
    IF q.concurrency IS NOT NULL THEN
      SELECT q.concurrency - count(*)::integer INTO free FROM jobs r
       WHERE r.state = 'running' AND r.queue = q.name AND r.lease_expires_at > clock_timestamp();
      room := least(room, free);
    END IF;
    IF room > 0 AND q.rate_limit IS NOT NULL THEN
      -- Every count includes the starts recorded at times after this claim's own (claims that
      -- began later but took the lock first), so each window holding this claim's time stays
      -- within the rate. Starts are dropped a minute after their window, so that a claim that
      -- began earlier and waited for the lock still counts them.
      DELETE FROM job_queue_starts
       WHERE queue = q.name
         AND started_at <= now() - q.rate_period_ms * interval '1 millisecond' - interval '1 minute';
      SELECT q.rate_limit - count(*)::integer INTO free FROM job_queue_starts
       WHERE queue = q.name AND started_at > now() - q.rate_period_ms * interval '1 millisecond';
      room := least(room, free);
    END IF;
    CONTINUE WHEN room <= 0;
    IF NOT EXISTS (SELECT 1 FROM jobs k WHERE k.queue = q.name AND k.concurrency_key IS NOT NULL
                      AND k.state IN ('scheduled', 'queued', 'retrying')) THEN
      -- No keyed jobs wait: the queue's first due jobs in claim order, read from the index
      -- (keyless only: a keyed job inserted since the check waits for the next claim).
      SELECT array_agg(c.id) INTO picked FROM (
        SELECT j.id FROM jobs j
         WHERE j.queue = q.name AND j.state IN ('scheduled', 'queued', 'retrying') AND j.concurrency_key IS NULL
           AND j.run_at <= now() AND j.attempt < j.max_attempts
         ORDER BY j.priority DESC, j.run_at, j.id
         LIMIT room
         FOR UPDATE SKIP LOCKED
      ) c;
    ELSE
    -- Keyed jobs wait: each key's jobs numbered in claim order, a key's next ones taken only
    -- while it has room (reads every due job of the queue: a cost of keyed queues only).
    SELECT array_agg(c.id) INTO picked FROM (
      SELECT j.id FROM jobs j
       WHERE j.id IN (
         SELECT x.id FROM (
           SELECT w.id, w.priority, w.run_at, w.concurrency_key,
                  row_number() OVER (PARTITION BY w.concurrency_key
                                     ORDER BY w.priority DESC, w.run_at, w.id) AS nth
             FROM jobs w
            WHERE w.queue = q.name AND w.state IN ('scheduled', 'queued', 'retrying')
              AND w.run_at <= now() AND w.attempt < w.max_attempts
         ) x
         LEFT JOIN (
           SELECT r.concurrency_key AS key, count(*)::integer AS n FROM jobs r
            WHERE r.state = 'running' AND r.queue = q.name AND r.concurrency_key IS NOT NULL
              AND r.lease_expires_at > clock_timestamp()
            GROUP BY r.concurrency_key
         ) busy ON busy.key = x.concurrency_key
         WHERE x.concurrency_key IS NULL
            OR x.nth + COALESCE(busy.n, 0) <= COALESCE(q.key_concurrency, 1)
         ORDER BY x.priority DESC, x.run_at, x.id
         LIMIT room)
         AND j.state IN ('scheduled', 'queued', 'retrying') AND j.run_at <= now() AND j.attempt < j.max_attempts
       ORDER BY j.priority DESC, j.run_at, j.id
       FOR UPDATE SKIP LOCKED
    ) c;
    END IF;
    CONTINUE WHEN picked IS NULL;
    IF q.rate_limit IS NOT NULL THEN
      INSERT INTO job_queue_starts (queue, started_at) SELECT q.name, now() FROM unnest(picked);
    END IF;
    total := total + cardinality(picked);
    RETURN QUERY SELECT unnest(picked);
  END LOOP;
END
$$;
--> statement-breakpoint
INSERT INTO job_queues (name) SELECT DISTINCT queue FROM jobs ON CONFLICT DO NOTHING;
