import {
  DEFAULT_RETRY_POLICY,
  ENQUEUE_LIMITS,
  ENQUEUE_OPTION_KEYS,
  HANDLER_NAME_PATTERN,
  JOB_STATES,
  MAX_HANDLER_NAME_LENGTH,
  MAX_METHOD_NAME_LENGTH,
  MAX_RETRIES_DEFAULT,
  MAX_RETRY_DELAY_MS,
  MAX_RETRY_FACTOR,
  MAX_UNIQUE_FOR_SECONDS,
  METHOD_NAME_PATTERN,
  QUEUE_LIMIT_BOUNDS,
  QUEUE_NAME_PATTERN,
  RESERVED_NAMES,
  UNIQUE_FOR_DEFAULT_STATES,
} from '@jobs/core';
import { holdsKeySql, UNIQUE_LOCK_CLASS } from './insert-unique.js';
import { sqlList, UNFINISHED_STATES } from './state-list.js';

/** The SQL function enqueuing one job: `enqueue(handler, method, params, options)`. */
export const ENQUEUE_FUNCTION = 'enqueue';

/** The SQL function enqueuing a JSON array of jobs: `enqueue_many(jobs)`. */
export const ENQUEUE_MANY_FUNCTION = 'enqueue_many';

/** `enqueue_status(...)`: as `enqueue`, answering `(id, created)`: false when deduplicated. */
export const ENQUEUE_STATUS_FUNCTION = 'enqueue_status';

/** `enqueue_many_status(jobs)`: as `enqueue_many`, one `(id, created)` row per job, in order. */
export const ENQUEUE_MANY_STATUS_FUNCTION = 'enqueue_many_status';

/** The SQLSTATE the functions raise for a bad argument (invalid_parameter_value). */
export const ENQUEUE_ERROR_SQLSTATE = '22023';

/** A string as an SQL literal (only core's constants go in, never user text). */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * A JavaScript pattern of core's as a PostgreSQL regular expression: `\w` is ASCII in
 * JavaScript but takes every letter in PostgreSQL, so it is spelled out (it occurs only inside
 * brackets in core's patterns).
 */
export function postgresPattern(pattern: RegExp): string {
  return pattern.source.replaceAll('\\w', 'A-Za-z0-9_');
}

/** Raises the functions' error: `field: problem`, SQLSTATE 22023, the field in COLUMN and DETAIL. */
function invalidFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "jobs_enqueue_invalid"("field" text, "problem" text)
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = ${literal(ENQUEUE_ERROR_SQLSTATE)},
    MESSAGE = field || ': ' || problem, DETAIL = 'field: ' || field, COLUMN = field;
END
$$;`;
}

/** An integer in [lo, hi], with core's checkInteger messages. */
function integerFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "jobs_enqueue_integer"("value" jsonb, "field" text, "lo" numeric, "hi" numeric)
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
$$;`;
}

/** A number in [lo, hi] (or (lo, hi]), with core's checkNumber messages. */
function numberFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "jobs_enqueue_number"("value" jsonb, "field" text, "lo" numeric, "hi" numeric, "exclusive_lo" boolean)
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
$$;`;
}

/** A string of lo..hi characters, with core's checkString messages. */
function stringFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "jobs_enqueue_string"("value" jsonb, "field" text, "lo" integer, "hi" integer)
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
$$;`;
}

/** The backoff policy, checked as core's validateRetryPolicy does. */
function backoffFunctionSql(): string {
  const maxDelay = MAX_RETRY_DELAY_MS;
  return `CREATE OR REPLACE FUNCTION "jobs_enqueue_backoff"("value" jsonb, "field" text)
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
    PERFORM jobs_enqueue_integer(value->'delayMs', field || '.delayMs', 0, ${maxDelay});
    RETURN value;
  END IF;
  PERFORM jobs_enqueue_integer(value->'baseMs', field || '.baseMs', 0, ${maxDelay});
  PERFORM jobs_enqueue_integer(value->'maxMs', field || '.maxMs', 0, ${maxDelay});
  IF (value->>'maxMs')::numeric < (value->>'baseMs')::numeric THEN
    PERFORM jobs_enqueue_invalid(field || '.maxMs', 'must be at least baseMs');
  END IF;
  IF value ? 'factor' THEN
    PERFORM jobs_enqueue_number(value->'factor', field || '.factor', 1, ${MAX_RETRY_FACTOR}, false);
  END IF;
  RETURN value;
END
$$;`;
}

/**
 * The body of `jobs_enqueue_one(handler, method, params, options, prefix)`: core's checks
 * (names, params, every option), core's defaults (queue `default`, priority 0,
 * MAX_RETRIES_DEFAULT retries, the default backoff), then the store's insert: a held unique key
 * returns the id of the unfinished job holding it. The insert trigger notifies workers, so
 * they wake when the caller's transaction commits. Errors name `prefix` + the field.
 */
export function enqueueOneBody(): string {
  const l = ENQUEUE_LIMITS;
  const reserved = sqlListOf([...RESERVED_NAMES].sort());
  return `
DECLARE
  opts jsonb := COALESCE(options, '{}'::jsonb);
  k text;
  v_queue text := 'default';
  v_priority integer := 0;
  v_max_attempts integer := ${MAX_RETRIES_DEFAULT + 1};
  v_delay_ms double precision := 0;
  v_run_at timestamptz;
  v_timeout_ms integer;
  v_unique_key text;
  v_unique_for_ms double precision;
  v_unique_states text[];
  v_unique_field text;
  v_concurrency_key text;
  v_tags text[] := '{}';
  v_backoff jsonb := ${literal(JSON.stringify(DEFAULT_RETRY_POLICY))}::jsonb;
  v_id bigint;
BEGIN
  IF handler IS NULL OR char_length(handler) > ${MAX_HANDLER_NAME_LENGTH}
     OR handler !~ ${literal(postgresPattern(HANDLER_NAME_PATTERN))}
     OR handler IN (${reserved}) THEN
    PERFORM jobs_enqueue_invalid(prefix || 'handler', 'is not a valid name');
  END IF;
  IF method IS NULL OR char_length(method) > ${MAX_METHOD_NAME_LENGTH}
     OR method !~ ${literal(postgresPattern(METHOD_NAME_PATTERN))}
     OR method IN (${reserved}) THEN
    PERFORM jobs_enqueue_invalid(prefix || 'method', 'is not a valid name');
  END IF;
  IF jsonb_typeof(params) IS DISTINCT FROM 'array' THEN
    PERFORM jobs_enqueue_invalid(prefix || 'params', 'must be an array');
  END IF;
  IF octet_length(params::text) > ${l.maxParamsBytes} THEN
    PERFORM jobs_enqueue_invalid(prefix || 'params',
      'is ' || octet_length(params::text) || ' bytes as JSON, more than the limit of ${l.maxParamsBytes}');
  END IF;
  IF jsonb_typeof(opts) IS DISTINCT FROM 'object' THEN
    PERFORM jobs_enqueue_invalid(prefix || 'options', 'must be an object');
  END IF;
  FOR k IN SELECT jsonb_object_keys(opts) LOOP
    IF k NOT IN (${sqlListOf(ENQUEUE_OPTION_KEYS)}) THEN
      PERFORM jobs_enqueue_invalid(prefix || k, 'is not an enqueue option');
    END IF;
  END LOOP;
  -- JSON null means "not given", as in the client.
  opts := jsonb_strip_nulls(opts);
  IF opts ? 'queue' THEN
    v_queue := jobs_enqueue_string(opts->'queue', prefix || 'queue', 1, 64);
    IF v_queue !~ ${literal(postgresPattern(QUEUE_NAME_PATTERN))} THEN
      PERFORM jobs_enqueue_invalid(prefix || 'queue', ${literal(`must match ${String(QUEUE_NAME_PATTERN)}`)});
    END IF;
  END IF;
  IF opts ? 'priority' THEN
    v_priority := jobs_enqueue_integer(opts->'priority', prefix || 'priority', ${l.minPriority}, ${l.maxPriority});
  END IF;
  IF opts ? 'retries' THEN
    v_max_attempts := jobs_enqueue_integer(opts->'retries', prefix || 'retries', 0, ${l.maxRetries}) + 1;
  END IF;
  IF opts ? 'timeout' THEN
    v_timeout_ms := greatest(1, round(jobs_enqueue_number(opts->'timeout', prefix || 'timeout', 0, ${l.maxTimeoutSeconds}, true) * 1000));
  END IF;
  IF opts ? 'uniqueKey' THEN
    v_unique_key := jobs_enqueue_string(opts->'uniqueKey', prefix || 'uniqueKey', 1, ${l.maxUniqueKeyLength});
  END IF;
  IF opts ? 'uniqueFor' OR opts ? 'uniqueStates' THEN
    v_unique_field := prefix || CASE WHEN opts ? 'uniqueFor' THEN 'uniqueFor' ELSE 'uniqueStates' END;
    IF v_unique_key IS NULL THEN
      PERFORM jobs_enqueue_invalid(v_unique_field, 'needs a uniqueKey');
    END IF;
  END IF;
  IF opts ? 'uniqueFor' THEN
    v_unique_for_ms := greatest(1, round(jobs_enqueue_number(opts->'uniqueFor', prefix || 'uniqueFor', 0, ${MAX_UNIQUE_FOR_SECONDS}, true) * 1000));
  END IF;
  IF opts ? 'uniqueStates' THEN
    IF jsonb_typeof(opts->'uniqueStates') IS DISTINCT FROM 'array' THEN
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates', 'must be an array of job states');
    END IF;
    IF jsonb_array_length(opts->'uniqueStates') > ${JOB_STATES.length} THEN
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates', 'must hold at most ${JOB_STATES.length}');
    END IF;
    SELECT COALESCE(array_agg(s.state #>> '{}' ORDER BY s.n), '{}') INTO v_unique_states
      FROM jsonb_array_elements(opts->'uniqueStates') WITH ORDINALITY AS s(state, n);
    FOR k IN SELECT (s.n - 1)::text FROM jsonb_array_elements(opts->'uniqueStates') WITH ORDINALITY AS s(state, n)
              WHERE jsonb_typeof(s.state) IS DISTINCT FROM 'string' OR s.state #>> '{}' NOT IN (${sqlList(JOB_STATES)})
              ORDER BY s.n LIMIT 1 LOOP
      PERFORM jobs_enqueue_invalid(prefix || 'uniqueStates.' || k, ${literal(`must be one of ${JOB_STATES.join(', ')}`)});
    END LOOP;
    v_unique_states := v_unique_states || ARRAY[${sqlList(UNFINISHED_STATES)}];
  ELSIF v_unique_for_ms IS NOT NULL THEN
    v_unique_states := ARRAY[${sqlList(UNIQUE_FOR_DEFAULT_STATES)}];
  ELSE
    v_unique_states := ARRAY[${sqlList(UNFINISHED_STATES)}];
  END IF;
  IF v_unique_field IS NOT NULL AND current_setting('transaction_isolation') <> 'read committed' THEN
    PERFORM jobs_enqueue_invalid(v_unique_field,
      'needs a READ COMMITTED transaction (this one is ' || current_setting('transaction_isolation') || ')');
  END IF;
  IF opts ? 'concurrencyKey' THEN
    v_concurrency_key := jobs_enqueue_string(opts->'concurrencyKey', prefix || 'concurrencyKey', 1, ${QUEUE_LIMIT_BOUNDS.maxConcurrencyKeyLength});
  END IF;
  IF opts ? 'tags' THEN
    IF jsonb_typeof(opts->'tags') IS DISTINCT FROM 'array' THEN
      PERFORM jobs_enqueue_invalid(prefix || 'tags', 'must be an array of strings');
    END IF;
    IF jsonb_array_length(opts->'tags') > ${l.maxTags} THEN
      PERFORM jobs_enqueue_invalid(prefix || 'tags', 'must hold at most ${l.maxTags}');
    END IF;
    SELECT COALESCE(array_agg(jobs_enqueue_string(t.tag, prefix || 'tags.' || (t.n - 1), 1, ${l.maxTagLength}) ORDER BY t.n), '{}')
      INTO v_tags FROM jsonb_array_elements(opts->'tags') WITH ORDINALITY AS t(tag, n);
  END IF;
  IF opts ? 'backoff' THEN
    v_backoff := jobs_enqueue_backoff(opts->'backoff', prefix || 'backoff');
  END IF;
  IF opts ? 'delay' AND opts ? 'runAt' THEN
    PERFORM jobs_enqueue_invalid(prefix || 'runAt', 'cannot be given together with delay');
  END IF;
  IF opts ? 'delay' THEN
    v_delay_ms := round(jobs_enqueue_number(opts->'delay', prefix || 'delay', 0, ${l.maxDelaySeconds}, false) * 1000);
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
    PERFORM pg_advisory_xact_lock(${UNIQUE_LOCK_CLASS}, hashtext(v_unique_key));
    SELECT j.id INTO v_id FROM jobs j
     WHERE ${holdsKeySql('j', { key: 'v_unique_key', states: 'v_unique_states', forMs: 'v_unique_for_ms' })}
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
      WHERE unique_key IS NOT NULL AND state IN (${sqlList(UNFINISHED_STATES)})
      DO NOTHING
    RETURNING j.id INTO v_id;
    IF v_id IS NOT NULL THEN
      job_id := v_id;
      job_created := true;
      RETURN;
    END IF;
    -- Held by a row written without the lock: its id (again if it just finished).
    SELECT id INTO v_id FROM jobs
     WHERE unique_key = v_unique_key AND state IN (${sqlList(UNFINISHED_STATES)});
    IF v_id IS NOT NULL THEN
      job_id := v_id;
      job_created := false;
      RETURN;
    END IF;
  END LOOP;
END
`;
}

/** Strings as an SQL list of literals. */
function sqlListOf(values: readonly string[]): string {
  return values.map(literal).join(', ');
}

/** Migration 0009's `jobs_enqueue_one` answered a bigint: dropped to answer `(job_id, job_created)`. */
function dropOldEnqueueOneSql(): string {
  return `DROP FUNCTION IF EXISTS "jobs_enqueue_one"("handler" text, "method" text, "params" jsonb, "options" jsonb, "prefix" text);`;
}

function enqueueOneFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "jobs_enqueue_one"("handler" text, "method" text, "params" jsonb, "options" jsonb, "prefix" text, OUT "job_id" bigint, OUT "job_created" boolean)
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$${enqueueOneBody()}$$;`;
}

/** `enqueue(...)`: one job; the public entry point. */
function enqueueFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "${ENQUEUE_FUNCTION}"("handler" text, "method" text, "params" jsonb, "options" jsonb DEFAULT '{}'::jsonb)
RETURNS bigint
LANGUAGE sql
VOLATILE
SET search_path FROM CURRENT
AS $$ SELECT (jobs_enqueue_one(handler, method, params, options, '')).job_id $$;`;
}

/** `enqueue_status(...)`: one job; `(id, created)`, created false when its unique key was held. */
function enqueueStatusFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "${ENQUEUE_STATUS_FUNCTION}"("handler" text, "method" text, "params" jsonb, "options" jsonb DEFAULT '{}'::jsonb)
RETURNS TABLE ("id" bigint, "created" boolean)
LANGUAGE sql
VOLATILE
SET search_path FROM CURRENT
AS $$ SELECT r.job_id, r.job_created FROM jobs_enqueue_one(handler, method, params, options, '') AS r $$;`;
}

/**
 * `enqueue_many(jobs)`: a JSON array of `{handler, method, params, options}` objects, all or
 * none; returns the ids in input order (errors name `jobs.<index>.<field>`).
 */
function enqueueManyFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "${ENQUEUE_MANY_FUNCTION}"("jobs" jsonb)
RETURNS bigint[]
LANGUAGE sql
VOLATILE
SET search_path FROM CURRENT
AS $$ SELECT COALESCE(array_agg(s.id ORDER BY s.n), '{}') FROM ${ENQUEUE_MANY_STATUS_FUNCTION}(jobs) WITH ORDINALITY AS s(id, created, n) $$;`;
}

/**
 * `enqueue_many_status(jobs)`: as `enqueue_many`, one `(id, created)` row per job in input
 * order, all or none (errors name `jobs.<index>.<field>`).
 */
function enqueueManyStatusFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "${ENQUEUE_MANY_STATUS_FUNCTION}"("jobs" jsonb)
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
$$;`;
}

/** Every statement a migration writes to (re-)create the enqueue functions, in order. */
export function enqueueFunctionsSql(): string {
  return [
    dropOldEnqueueOneSql(),
    invalidFunctionSql(),
    integerFunctionSql(),
    numberFunctionSql(),
    stringFunctionSql(),
    backoffFunctionSql(),
    enqueueOneFunctionSql(),
    enqueueFunctionSql(),
    enqueueStatusFunctionSql(),
    enqueueManyStatusFunctionSql(),
    enqueueManyFunctionSql(),
  ].join('\n--> statement-breakpoint\n');
}
