import {
  DEFAULT_RETRY_POLICY,
  ENQUEUE_LIMITS,
  ENQUEUE_OPTION_KEYS,
  HANDLER_NAME_PATTERN,
  MAX_HANDLER_NAME_LENGTH,
  MAX_METHOD_NAME_LENGTH,
  MAX_RETRIES_DEFAULT,
  MAX_RETRY_DELAY_MS,
  MAX_RETRY_FACTOR,
  METHOD_NAME_PATTERN,
  QUEUE_LIMIT_BOUNDS,
  QUEUE_NAME_PATTERN,
  RESERVED_NAMES,
} from '@jobs/core';
import { sqlList, UNFINISHED_STATES } from './state-list.js';

/** The SQL function enqueuing one job: `enqueue(handler, method, params, options)`. */
export const ENQUEUE_FUNCTION = 'enqueue';

/** The SQL function enqueuing a JSON array of jobs: `enqueue_many(jobs)`. */
export const ENQUEUE_MANY_FUNCTION = 'enqueue_many';

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
      RETURN v_id;
    END IF;
    -- The key is held: the holder's id, as the store reports it (again if it just finished).
    SELECT id INTO v_id FROM jobs
     WHERE unique_key = v_unique_key AND state IN (${sqlList(UNFINISHED_STATES)});
    IF v_id IS NOT NULL THEN
      RETURN v_id;
    END IF;
  END LOOP;
END
`;
}

/** Strings as an SQL list of literals. */
function sqlListOf(values: readonly string[]): string {
  return values.map(literal).join(', ');
}

function enqueueOneFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "jobs_enqueue_one"("handler" text, "method" text, "params" jsonb, "options" jsonb, "prefix" text)
RETURNS bigint
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
AS $$ SELECT jobs_enqueue_one(handler, method, params, options, '') $$;`;
}

/**
 * `enqueue_many(jobs)`: a JSON array of `{handler, method, params, options}` objects, all or
 * none; returns the ids in input order (errors name `jobs.<index>.<field>`).
 */
function enqueueManyFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION "${ENQUEUE_MANY_FUNCTION}"("jobs" jsonb)
RETURNS bigint[]
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  ids bigint[] := '{}';
  item record;
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
    ids := ids || jobs_enqueue_one(item.job->>'handler', item.job->>'method',
      item.job->'params', item.job->'options', 'jobs.' || item.i || '.');
  END LOOP;
  RETURN ids;
END
$$;`;
}

/** Every statement a migration writes to (re-)create the enqueue functions, in order. */
export function enqueueFunctionsSql(): string {
  return [
    invalidFunctionSql(),
    integerFunctionSql(),
    numberFunctionSql(),
    stringFunctionSql(),
    backoffFunctionSql(),
    enqueueOneFunctionSql(),
    enqueueFunctionSql(),
    enqueueManyFunctionSql(),
  ].join('\n--> statement-breakpoint\n');
}
