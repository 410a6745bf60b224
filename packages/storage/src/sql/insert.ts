import type { Job, NewJob } from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { JOB_COLUMNS_SQL, rowToJob } from '../rows.js';
import type { JobRow } from '../schema.js';

/**
 * Inserts every job in one statement over unnest()ed arrays. A job whose unique key is held
 * by an unfinished job is not inserted: that job is returned in its place.
 */
export async function insertJobs(c: Connection, input: readonly NewJob[]): Promise<Job[]> {
  if (input.length === 0) return [];
  const cols = {
    queue: [] as string[],
    handler: [] as string[],
    method: [] as string[],
    params: [] as string[],
    priority: [] as number[],
    maxAttempts: [] as number[],
    delayMs: [] as (number | null)[],
    runAt: [] as (string | null)[],
    timeoutMs: [] as (number | null)[],
    uniqueKey: [] as (string | null)[],
    tags: [] as string[],
    backoff: [] as string[],
  };
  for (const job of input) {
    cols.queue.push(job.queue);
    cols.handler.push(job.handler);
    cols.method.push(job.method);
    cols.params.push(JSON.stringify(job.params));
    cols.priority.push(job.priority);
    cols.maxAttempts.push(job.maxAttempts);
    if ('at' in job.runAt) {
      cols.delayMs.push(null);
      cols.runAt.push(job.runAt.at.toISOString());
    } else {
      cols.delayMs.push(job.runAt.delayMs);
      cols.runAt.push(null);
    }
    cols.timeoutMs.push(job.timeoutMs);
    cols.uniqueKey.push(job.uniqueKey);
    cols.tags.push(JSON.stringify(job.tags));
    cols.backoff.push(JSON.stringify(job.backoff));
  }
  const rows = await c.sql.unsafe<JobRow[]>(
    `WITH input AS (
       SELECT * FROM unnest(
         $1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[],
         $7::float8[], $8::timestamptz[], $9::int[], $10::text[], $11::text[], $12::text[]
       ) WITH ORDINALITY AS t(queue, handler, method, params, priority, max_attempts,
                              delay_ms, run_at, timeout_ms, unique_key, tags, backoff, ord)
     ), due AS (
       SELECT input.*, COALESCE(run_at, now() + delay_ms * interval '1 millisecond') AS due_at
       FROM input
     ), named_queues AS (
       INSERT INTO job_queues (name) SELECT DISTINCT queue FROM input ON CONFLICT DO NOTHING
     )
     INSERT INTO jobs AS j (queue, handler, method, params, priority, state, max_attempts,
                            run_at, timeout_ms, unique_key, tags, backoff)
     SELECT queue, handler, method, params::jsonb, priority,
            CASE WHEN due_at > now() THEN 'scheduled' ELSE 'queued' END,
            max_attempts, due_at, timeout_ms, unique_key,
            ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)), backoff::jsonb
     FROM due ORDER BY ord
     ON CONFLICT (unique_key)
       WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'queued', 'running', 'retrying')
       DO NOTHING
     RETURNING ${JOB_COLUMNS_SQL}`,
    [
      cols.queue,
      cols.handler,
      cols.method,
      cols.params,
      cols.priority,
      cols.maxAttempts,
      cols.delayMs,
      cols.runAt,
      cols.timeoutMs,
      cols.uniqueKey,
      cols.tags,
      cols.backoff,
    ].map(pgArray),
  );
  const inserted = rows.map(rowToJob).sort((a, b) => compareIds(a.id, b.id));
  if (inserted.length === input.length) return inserted;
  return matchDuplicates(c, input, inserted);
}

/** Compares decimal id strings numerically. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Puts inserted rows back in input order and fills in, for each job that hit a held unique
 * key, the unfinished job holding it. Inserted rows come back in input order by id.
 */
async function matchDuplicates(
  c: Connection,
  input: readonly NewJob[],
  inserted: readonly Job[],
): Promise<Job[]> {
  const byKey = new Map<string, Job>();
  const missingKeys = new Set<string>();
  let next = 0;
  const out: (Job | string)[] = [];
  for (const job of input) {
    const candidate = inserted[next];
    if (job.uniqueKey === null || candidate?.uniqueKey === job.uniqueKey) {
      if (candidate === undefined) throw new Error('insert returned fewer rows than expected');
      next += 1;
      if (candidate.uniqueKey !== null) byKey.set(candidate.uniqueKey, candidate);
      out.push(candidate);
    } else {
      if (!byKey.has(job.uniqueKey)) missingKeys.add(job.uniqueKey);
      out.push(job.uniqueKey);
    }
  }
  if (missingKeys.size > 0) {
    const held = await c.sql.unsafe<JobRow[]>(
      `SELECT ${JOB_COLUMNS_SQL} FROM jobs j
       WHERE j.unique_key = ANY($1::text[])
         AND j.state IN ('scheduled', 'queued', 'running', 'retrying')`,
      [pgArray([...missingKeys])],
    );
    for (const row of held) {
      const job = rowToJob(row);
      if (job.uniqueKey !== null) byKey.set(job.uniqueKey, job);
    }
  }
  return out.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const held = byKey.get(entry);
    // The holder finished between the insert and this read: report the key as taken anyway.
    if (held === undefined)
      throw new Error(`unique key "${entry}" is held by a job that just finished; enqueue again`);
    return held;
  });
}
