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
-- per-queue advisory lock. The enqueue function learns the concurrencyKey option.
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
DROP FUNCTION IF EXISTS "jobs_enqueue_one"("handler" text, "method" text, "params" jsonb, "options" jsonb, "prefix" text);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "jobs_enqueue_invalid"("field" text, "problem" text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '22023',
    MESSAGE = field || ': ' || problem, DETAIL = 'field: ' || field, COLUMN = field;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "jobs_enqueue_integer"("value" jsonb, "field" text, "lo" numeric, "hi" numeric)
RETURNS numeric
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
  IF jsonb_typeof(value) IS DISTINCT FROM 'number' OR value::numeric <> trunc(value::numeric) THEN
    PERFORM jobs_enqueue_invalid(field, 'must be an integer');
  END IF;
  IF value::numeric < lo OR value::numeric > hi THEN
    PERFORM jobs_enqueue_invalid(field, 'must be between ' || lo || ' and ' || hi);
  END IF;
  RETURN value::numeric;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "jobs_enqueue_number"("value" jsonb, "field" text, "lo" numeric, "hi" numeric, "exclusive_lo" boolean)
RETURNS numeric
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
  IF jsonb_typeof(value) IS DISTINCT FROM 'number' THEN
    PERFORM jobs_enqueue_invalid(field, 'must be a finite number');
  END IF;
  IF exclusive_lo AND value::numeric <= lo THEN
    PERFORM jobs_enqueue_invalid(field, 'must be greater than ' || lo);
  END IF;
  IF value::numeric < lo THEN
    PERFORM jobs_enqueue_invalid(field, 'must be at least ' || lo);
  END IF;
  IF value::numeric > hi THEN
    PERFORM jobs_enqueue_invalid(field, 'must be at most ' || hi);
  END IF;
  RETURN value::numeric;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "jobs_enqueue_string"("value" jsonb, "field" text, "lo" integer, "hi" integer)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
AS $$
BEGIN
  IF jsonb_typeof(value) IS DISTINCT FROM 'string' THEN
    PERFORM jobs_enqueue_invalid(field, 'must be a string');
  END IF;
  IF char_length(value #>> '{}') NOT BETWEEN lo AND hi THEN
    PERFORM jobs_enqueue_invalid(field, 'must be ' || lo || ' to ' || hi || ' characters long');
  END IF;
  RETURN value #>> '{}';
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "jobs_enqueue_backoff"("value" jsonb, "field" text)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
AS $$
DECLARE
  kind text;
  k text;
BEGIN
  IF jsonb_typeof(value) IS DISTINCT FROM 'object' THEN
    PERFORM jobs_enqueue_invalid(field, 'must be an object');
  END IF;
  kind := value->>'kind';
  IF jsonb_typeof(value->'kind') IS DISTINCT FROM 'string' OR kind NOT IN ('fixed', 'exponential') THEN
    PERFORM jobs_enqueue_invalid(field || '.kind', 'must be "fixed" or "exponential"');
  END IF;
  FOR k IN SELECT jsonb_object_keys(value) LOOP
    IF (kind = 'fixed' AND k NOT IN ('kind', 'delayMs', 'jitter'))
       OR (kind = 'exponential' AND k NOT IN ('kind', 'baseMs', 'factor', 'maxMs', 'jitter')) THEN
      PERFORM jobs_enqueue_invalid(field || '.' || k, 'is not allowed');
    END IF;
  END LOOP;
  IF value ? 'jitter' THEN
    PERFORM jobs_enqueue_number(value->'jitter', field || '.jitter', 0, 1, false);
  END IF;
  IF kind = 'fixed' THEN
    PERFORM jobs_enqueue_integer(value->'delayMs', field || '.delayMs', 0, 31536000000);
    RETURN value;
  END IF;
  PERFORM jobs_enqueue_integer(value->'baseMs', field || '.baseMs', 0, 31536000000);
  PERFORM jobs_enqueue_integer(value->'maxMs', field || '.maxMs', 0, 31536000000);
  IF (value->>'maxMs')::numeric < (value->>'baseMs')::numeric THEN
    PERFORM jobs_enqueue_invalid(field || '.maxMs', 'must be at least baseMs');
  END IF;
  IF value ? 'factor' THEN
    PERFORM jobs_enqueue_number(value->'factor', field || '.factor', 1, 100, false);
  END IF;
  RETURN value;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "jobs_enqueue_one"("handler" text, "method" text, "params" jsonb, "options" jsonb, "prefix" text, OUT "job_id" bigint, OUT "job_created" boolean)
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  opts jsonb := COALESCE(options, '{}'::jsonb);
  k text;
  v_queue text := 'default';
  v_priority integer := 0;
  v_max_attempts integer := 4;
  v_delay_ms double precision := 0;
  v_run_at timestamptz;
  v_timeout_ms integer;
  v_unique_key text;
  v_unique_for_ms double precision;
  v_unique_states text[];
  v_unique_field text;
  v_concurrency_key text;
  v_tags text[] := '{}';
  v_backoff jsonb := '{"kind":"exponential","baseMs":1000,"factor":2,"maxMs":3600000,"jitter":0.2}'::jsonb;
  v_id bigint;
BEGIN
  IF handler IS NULL OR char_length(handler) > 200
     OR handler !~ '^[A-Za-z_$][A-Za-z0-9_$]*(?:[\\./][A-Za-z_$][A-Za-z0-9_$]*)*$'
     OR handler IN ('__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', '__proto__', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'prototype', 'toLocaleString', 'toString', 'valueOf') THEN
    PERFORM jobs_enqueue_invalid(prefix || 'handler', 'is not a valid name');
  END IF;
  IF method IS NULL OR char_length(method) > 100
     OR method !~ '^[A-Za-z_$][A-Za-z0-9_$]*$'
     OR method IN ('__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', '__proto__', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'prototype', 'toLocaleString', 'toString', 'valueOf') THEN
    PERFORM jobs_enqueue_invalid(prefix || 'method', 'is not a valid name');
  END IF;
  IF jsonb_typeof(params) IS DISTINCT FROM 'array' THEN
    PERFORM jobs_enqueue_invalid(prefix || 'params', 'must be an array');
  END IF;
  IF octet_length(params::text) > 1048576 THEN
    PERFORM jobs_enqueue_invalid(prefix || 'params',
      'is ' || octet_length(params::text) || ' bytes as JSON, more than the limit of 1048576');
  END IF;
  IF jsonb_typeof(opts) IS DISTINCT FROM 'object' THEN
    PERFORM jobs_enqueue_invalid(prefix || 'options', 'must be an object');
  END IF;
  FOR k IN SELECT jsonb_object_keys(opts) LOOP
    IF k NOT IN ('priority', 'delay', 'runAt', 'retries', 'queue', 'timeout', 'uniqueKey', 'uniqueFor', 'uniqueStates', 'tags', 'backoff', 'concurrencyKey') THEN
      PERFORM jobs_enqueue_invalid(prefix || k, 'is not an enqueue option');
    END IF;
  END LOOP;
  -- JSON null means "not given", as in the client.
  opts := jsonb_strip_nulls(opts);
  IF opts ? 'queue' THEN
    v_queue := jobs_enqueue_string(opts->'queue', prefix || 'queue', 1, 64);
    IF v_queue !~ '^[A-Za-z0-9_.:-]{1,64}$' THEN
      PERFORM jobs_enqueue_invalid(prefix || 'queue', 'must match /^[A-Za-z0-9_.:-]{1,64}$/');
    END IF;
  END IF;
  IF opts ? 'priority' THEN
    v_priority := jobs_enqueue_integer(opts->'priority', prefix || 'priority', -1000000, 1000000);
  END IF;
  IF opts ? 'retries' THEN
    v_max_attempts := jobs_enqueue_integer(opts->'retries', prefix || 'retries', 0, 1000) + 1;
  END IF;
  IF opts ? 'timeout' THEN
    v_timeout_ms := greatest(1, round(jobs_enqueue_number(opts->'timeout', prefix || 'timeout', 0, 604800, true) * 1000));
  END IF;
  IF opts ? 'uniqueKey' THEN
    v_unique_key := jobs_enqueue_string(opts->'uniqueKey', prefix || 'uniqueKey', 1, 255);
  END IF;
  IF opts ? 'uniqueFor' OR opts ? 'uniqueStates' THEN
    v_unique_field := prefix || CASE WHEN opts ? 'uniqueFor' THEN 'uniqueFor' ELSE 'uniqueStates' END;
    IF v_unique_key IS NULL THEN
      PERFORM jobs_enqueue_invalid(v_unique_field, 'needs a uniqueKey');
    END IF;
  END IF;
  IF opts ? 'uniqueFor' THEN
    v_unique_for_ms := greatest(1, round(jobs_enqueue_number(opts->'uniqueFor', prefix || 'uniqueFor', 0, 31536000, true) * 1000));
  END IF;
  IF opts ? 'uniqueStates' THEN
    IF jsonb_typeof(opts->'uniqueStates') IS DISTINCT FROM 'array' THEN
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates', 'must be an array of job states');
    END IF;
    IF jsonb_array_length(opts->'uniqueStates') > 7 THEN
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates', 'must hold at most 7');
    END IF;
    SELECT COALESCE(array_agg(s.state #>> '{}' ORDER BY s.n), '{}') INTO v_unique_states
      FROM jsonb_array_elements(opts->'uniqueStates') WITH ORDINALITY AS s(state, n);
    FOR k IN SELECT (s.n - 1)::text FROM jsonb_array_elements(opts->'uniqueStates') WITH ORDINALITY AS s(state, n)
              WHERE jsonb_typeof(s.state) IS DISTINCT FROM 'string' OR s.state #>> '{}' NOT IN ('scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled')
              ORDER BY s.n LIMIT 1 LOOP
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates.' || k, 'must be one of scheduled, queued, running, retrying, completed, failed, cancelled');
    END LOOP;
    v_unique_states := v_unique_states || ARRAY['scheduled', 'queued', 'running', 'retrying'];
  ELSIF v_unique_for_ms IS NOT NULL THEN
    v_unique_states := ARRAY['scheduled', 'queued', 'running', 'retrying', 'completed'];
  ELSE
    v_unique_states := ARRAY['scheduled', 'queued', 'running', 'retrying'];
  END IF;
  IF v_unique_field IS NOT NULL AND current_setting('transaction_isolation') <> 'read committed' THEN
    PERFORM jobs_enqueue_invalid(v_unique_field,
      'needs a READ COMMITTED transaction (this one is ' || current_setting('transaction_isolation') || ')');
  END IF;
  IF opts ? 'concurrencyKey' THEN
    v_concurrency_key := jobs_enqueue_string(opts->'concurrencyKey', prefix || 'concurrencyKey', 1, 255);
  END IF;
  IF opts ? 'tags' THEN
    IF jsonb_typeof(opts->'tags') IS DISTINCT FROM 'array' THEN
      PERFORM jobs_enqueue_invalid(prefix || 'tags', 'must be an array of strings');
    END IF;
    IF jsonb_array_length(opts->'tags') > 20 THEN
      PERFORM jobs_enqueue_invalid(prefix || 'tags', 'must hold at most 20');
    END IF;
    SELECT COALESCE(array_agg(jobs_enqueue_string(t.tag, prefix || 'tags.' || (t.n - 1), 1, 64) ORDER BY t.n), '{}')
      INTO v_tags FROM jsonb_array_elements(opts->'tags') WITH ORDINALITY AS t(tag, n);
  END IF;
  IF opts ? 'backoff' THEN
    v_backoff := jobs_enqueue_backoff(opts->'backoff', prefix || 'backoff');
  END IF;
  IF opts ? 'delay' AND opts ? 'runAt' THEN
    PERFORM jobs_enqueue_invalid(prefix || 'runAt', 'cannot be given together with delay');
  END IF;
  IF opts ? 'delay' THEN
    v_delay_ms := round(jobs_enqueue_number(opts->'delay', prefix || 'delay', 0, 315360000, false) * 1000);
  END IF;
  IF opts ? 'runAt' THEN
    BEGIN
      v_run_at := (jobs_enqueue_string(opts->'runAt', prefix || 'runAt', 1, 64))::timestamptz;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
      PERFORM jobs_enqueue_invalid(prefix || 'runAt', 'must be a valid time');
    END;
  ELSE
    v_run_at := now() + v_delay_ms * interval '1 millisecond';
  END IF;
  IF v_unique_key IS NOT NULL THEN
    -- Enqueuers of this key take turns (the store takes the same lock); the lookup below is a
    -- new statement, so it sees every job of the key committed before the lock was granted.
    PERFORM pg_advisory_xact_lock(1785684595, hashtext(v_unique_key));
    SELECT j.id INTO v_id FROM jobs j
     WHERE j.unique_key = v_unique_key
       AND j.state = ANY(v_unique_states)
       AND (v_unique_for_ms IS NULL OR j.state IN ('scheduled', 'queued', 'running', 'retrying')
            OR j.created_at > now() - v_unique_for_ms * interval '1 millisecond')
     ORDER BY j.created_at DESC, j.id DESC LIMIT 1;
    IF v_id IS NOT NULL THEN
      job_id := v_id;
      job_created := false;
      RETURN;
    END IF;
  END IF;
  -- Only after the key's lock, as in the store: enqueuers of one key never wait on each other's queue row.
  INSERT INTO job_queues (name) VALUES (v_queue) ON CONFLICT DO NOTHING;
  LOOP
    INSERT INTO jobs AS j (queue, handler, method, params, priority, state, max_attempts,
                           run_at, timeout_ms, unique_key, tags, backoff, concurrency_key)
    VALUES (v_queue, handler, method, params, v_priority,
            CASE WHEN v_run_at > now() THEN 'scheduled' ELSE 'queued' END,
            v_max_attempts, v_run_at, v_timeout_ms, v_unique_key, v_tags, v_backoff,
            v_concurrency_key)
    ON CONFLICT (unique_key)
      WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'queued', 'running', 'retrying')
      DO NOTHING
    RETURNING j.id INTO v_id;
    IF v_id IS NOT NULL THEN
      job_id := v_id;
      job_created := true;
      RETURN;
    END IF;
    -- Held by a row written without the lock: its id (again if it just finished).
    SELECT id INTO v_id FROM jobs
     WHERE unique_key = v_unique_key AND state IN ('scheduled', 'queued', 'running', 'retrying');
    IF v_id IS NOT NULL THEN
      job_id := v_id;
      job_created := false;
      RETURN;
    END IF;
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "enqueue"("handler" text, "method" text, "params" jsonb, "options" jsonb DEFAULT '{}'::jsonb)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path FROM CURRENT
AS $$ SELECT (jobs_enqueue_one(handler, method, params, options, '')).job_id $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "enqueue_status"("handler" text, "method" text, "params" jsonb, "options" jsonb DEFAULT '{}'::jsonb)
RETURNS TABLE ("id" bigint, "created" boolean)
LANGUAGE sql
VOLATILE
SET search_path FROM CURRENT
AS $$ SELECT r.job_id, r.job_created FROM jobs_enqueue_one(handler, method, params, options, '') AS r $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "enqueue_many_status"("jobs" jsonb)
RETURNS TABLE ("id" bigint, "created" boolean)
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  item record;
  one record;
  k text;
BEGIN
  IF jsonb_typeof(jobs) IS DISTINCT FROM 'array' THEN
    PERFORM jobs_enqueue_invalid('jobs', 'must be an array');
  END IF;
  FOR item IN SELECT e.job, e.n - 1 AS i FROM jsonb_array_elements(jobs) WITH ORDINALITY AS e(job, n) LOOP
    IF jsonb_typeof(item.job) IS DISTINCT FROM 'object' THEN
      PERFORM jobs_enqueue_invalid('jobs.' || item.i, 'must be an object');
    END IF;
    FOR k IN SELECT jsonb_object_keys(item.job) LOOP
      IF k NOT IN ('handler', 'method', 'params', 'options') THEN
        PERFORM jobs_enqueue_invalid('jobs.' || item.i || '.' || k, 'is not allowed');
      END IF;
    END LOOP;
    SELECT * INTO one FROM jobs_enqueue_one(item.job->>'handler', item.job->>'method',
      item.job->'params', item.job->'options', 'jobs.' || item.i || '.');
    id := one.job_id;
    created := one.job_created;
    RETURN NEXT;
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "enqueue_many"("jobs" jsonb)
RETURNS bigint[]
LANGUAGE sql
VOLATILE
SET search_path FROM CURRENT
AS $$ SELECT COALESCE(array_agg(s.id ORDER BY s.n), '{}') FROM enqueue_many_status(jobs) WITH ORDINALITY AS s(id, created, n) $$;
--> statement-breakpoint
INSERT INTO job_queues (name) SELECT DISTINCT queue FROM jobs ON CONFLICT DO NOTHING;
