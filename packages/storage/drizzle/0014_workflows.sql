CREATE TABLE "job_dependencies" (
	"job_id" bigint NOT NULL,
	"depends_on" bigint NOT NULL,
	"policy" text NOT NULL,
	"position" integer NOT NULL,
	"depends_on_key" text,
	"cancelled" boolean DEFAULT false NOT NULL,
	"settled" boolean DEFAULT false NOT NULL,
	CONSTRAINT "job_dependencies_job_id_depends_on_pk" PRIMARY KEY("job_id","depends_on"),
	CONSTRAINT "job_dependencies_policy_check" CHECK ("job_dependencies"."policy" IN ('cancel', 'run'))
);
--> statement-breakpoint
CREATE TABLE "job_dependency_counts" (
	"job_id" bigint PRIMARY KEY NOT NULL,
	"pending" integer NOT NULL,
	CONSTRAINT "job_dependency_counts_pending_check" CHECK ("job_dependency_counts"."pending" >= 0)
);
--> statement-breakpoint
ALTER TABLE "jobs" DROP CONSTRAINT "jobs_state_check";--> statement-breakpoint
DROP INDEX "jobs_unique_key_idx";--> statement-breakpoint
ALTER TABLE "job_dependencies" ADD CONSTRAINT "job_dependencies_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_dependencies" ADD CONSTRAINT "job_dependencies_depends_on_jobs_id_fk" FOREIGN KEY ("depends_on") REFERENCES "jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_dependency_counts" ADD CONSTRAINT "job_dependency_counts_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_dependencies_depends_on_idx" ON "job_dependencies" USING btree ("depends_on");--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_unique_key_idx" ON "jobs" USING btree ("unique_key") WHERE "jobs"."unique_key" IS NOT NULL AND "jobs"."state" IN ('waiting', 'scheduled', 'queued', 'running', 'retrying');--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" IN ('waiting', 'scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled'));--> statement-breakpoint
-- Settles dependents inside the statement that finishes a dependency (see src/sql/flow-trigger.ts).
CREATE OR REPLACE FUNCTION "jobs_flow_settle"() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  dep_id bigint;
  dep_state text;
  released integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    dep_id := OLD.id;
    dep_state := 'deleted';
  ELSE
    dep_id := NEW.id;
    dep_state := NEW.state;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.state NOT IN ('completed', 'failed', 'cancelled') THEN
    -- It left failed or cancelled (a hand retry): its unfinished dependents wait for it again,
    -- and those it cancelled are re-armed, unless another failed dependency still holds them.
    UPDATE job_dependencies d SET settled = false
      FROM jobs w
     WHERE d.depends_on = dep_id AND d.settled AND w.id = d.job_id
       AND (w.state = 'waiting' OR (w.state = 'cancelled' AND d.cancelled));
    UPDATE jobs w SET state = 'waiting', finished_at = NULL
      FROM job_dependencies d
     WHERE d.depends_on = dep_id AND d.cancelled AND w.id = d.job_id AND w.state = 'cancelled'
       AND NOT EXISTS (
         SELECT 1 FROM job_dependencies o JOIN jobs p ON p.id = o.depends_on
          WHERE o.job_id = w.id AND o.depends_on <> dep_id AND o.policy = 'cancel'
            AND p.state IN ('failed', 'cancelled'));
    UPDATE job_dependencies o SET cancelled = true
      FROM job_dependencies d, jobs p
     WHERE d.depends_on = dep_id AND d.cancelled AND o.job_id = d.job_id
       AND o.depends_on <> dep_id AND o.policy = 'cancel' AND p.id = o.depends_on
       AND p.state IN ('failed', 'cancelled');
    UPDATE job_dependencies SET cancelled = false WHERE depends_on = dep_id AND cancelled;
    UPDATE job_dependency_counts c
       SET pending = (SELECT count(*) FROM job_dependencies e
                       WHERE e.job_id = c.job_id AND NOT e.settled)
     WHERE c.job_id IN (SELECT d.job_id FROM job_dependencies d WHERE d.depends_on = dep_id);
    RETURN NULL;
  END IF;
  PERFORM 1 FROM job_dependency_counts c
   WHERE c.job_id IN (SELECT d.job_id FROM job_dependencies d
                       WHERE d.depends_on = dep_id AND NOT d.settled)
   ORDER BY c.job_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
  END IF;
  WITH settled AS (
    UPDATE job_dependencies d SET settled = true,
           cancelled = (dep_state NOT IN ('completed') AND d.policy = 'cancel'
                        AND w.state = 'waiting')
      FROM jobs w
     WHERE d.depends_on = dep_id AND NOT d.settled AND w.id = d.job_id
    RETURNING d.job_id, d.cancelled
  ), counted AS (
    UPDATE job_dependency_counts c SET pending = c.pending - 1
      FROM settled s
     WHERE c.job_id = s.job_id
    RETURNING c.job_id, c.pending, s.cancelled
  ), cancelled AS (
    -- Failed, cancelled or deleted: a dependent with the cancel policy is cancelled, saying why.
    UPDATE jobs w
       SET state = 'cancelled', finished_at = now(),
           logs = w.logs || jsonb_build_array(jsonb_build_object(
             'at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'line', 'cancelled: dependency ' || dep_id || ' ' || dep_state))
      FROM counted k
     WHERE w.id = k.job_id AND k.cancelled AND w.state = 'waiting'
    RETURNING w.id
  )
  -- Released: the dependents whose last dependency this was.
  UPDATE jobs w
     SET state = CASE WHEN w.run_at > now() THEN 'scheduled' ELSE 'queued' END
    FROM counted k
   WHERE w.id = k.job_id AND k.pending = 0 AND NOT k.cancelled AND w.state = 'waiting';
  GET DIAGNOSTICS released = ROW_COUNT;
  IF released > 0 THEN
    -- Idle workers wake up at commit, as for new jobs (one notification per transaction).
    PERFORM pg_notify('jobs:' || TG_TABLE_SCHEMA, '{"type":"inserted"}');
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "jobs_flow_settle_update" AFTER UPDATE OF state ON "jobs"
  FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state
        AND (NEW.state IN ('completed', 'failed', 'cancelled') OR OLD.state IN ('failed', 'cancelled')))
  EXECUTE FUNCTION "jobs_flow_settle"();
--> statement-breakpoint
CREATE TRIGGER "jobs_flow_settle_delete" BEFORE DELETE ON "jobs"
  FOR EACH ROW
  WHEN (OLD.state NOT IN ('completed', 'failed', 'cancelled'))
  EXECUTE FUNCTION "jobs_flow_settle"();
--> statement-breakpoint
-- The enqueue functions (enqueueFunctionsSql(), src/sql/enqueue-function.ts), written here once
-- for 0011 (unique rules), 0013 (concurrency keys) and this one (waiting is unfinished).
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
    IF jsonb_array_length(opts->'uniqueStates') > 8 THEN
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates', 'must hold at most 8');
    END IF;
    SELECT COALESCE(array_agg(s.state #>> '{}' ORDER BY s.n), '{}') INTO v_unique_states
      FROM jsonb_array_elements(opts->'uniqueStates') WITH ORDINALITY AS s(state, n);
    FOR k IN SELECT (s.n - 1)::text FROM jsonb_array_elements(opts->'uniqueStates') WITH ORDINALITY AS s(state, n)
              WHERE jsonb_typeof(s.state) IS DISTINCT FROM 'string' OR s.state #>> '{}' NOT IN ('waiting', 'scheduled', 'queued', 'running', 'retrying', 'completed', 'failed', 'cancelled')
              ORDER BY s.n LIMIT 1 LOOP
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates.' || k, 'must be one of waiting, scheduled, queued, running, retrying, completed, failed, cancelled');
    END LOOP;
    v_unique_states := v_unique_states || ARRAY['waiting', 'scheduled', 'queued', 'running', 'retrying'];
  ELSIF v_unique_for_ms IS NOT NULL THEN
    v_unique_states := ARRAY['waiting', 'scheduled', 'queued', 'running', 'retrying', 'completed'];
  ELSE
    v_unique_states := ARRAY['waiting', 'scheduled', 'queued', 'running', 'retrying'];
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
       AND (v_unique_for_ms IS NULL OR j.state IN ('waiting', 'scheduled', 'queued', 'running', 'retrying')
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
      WHERE unique_key IS NOT NULL AND state IN ('waiting', 'scheduled', 'queued', 'running', 'retrying')
      DO NOTHING
    RETURNING j.id INTO v_id;
    IF v_id IS NOT NULL THEN
      job_id := v_id;
      job_created := true;
      RETURN;
    END IF;
    -- Held by a row written without the lock: its id (again if it just finished).
    SELECT id INTO v_id FROM jobs
     WHERE unique_key = v_unique_key AND state IN ('waiting', 'scheduled', 'queued', 'running', 'retrying');
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
