import type { Job, NewJob } from '@jobs/core';
import type { Connection, Executor } from '../connection.js';
import { pgArray } from '../pg-array.js';
import {
  INSERTED_COLUMNS_SQL,
  type InsertedRow,
  JOB_COLUMNS_SQL,
  jobFromInsert,
  rowToJob,
} from '../rows.js';
import type { JobRow } from '../schema.js';

/**
 * The insert: one row per element of the unnest()ed arrays, in input order (ids follow it),
 * and the queues named ($13, distinct) recorded. Read once, so the input is never materialized.
 */
function insertStatement(onConflict: string): string {
  return `WITH named_queues AS (
       INSERT INTO job_queues (name) SELECT unnest($13::text[]) ON CONFLICT DO NOTHING
     )
     INSERT INTO jobs AS j (queue, handler, method, params, priority, state, max_attempts,
                            run_at, timeout_ms, unique_key, tags, backoff)
     SELECT queue, handler, method, params::jsonb, priority,
            CASE WHEN due_at > now() THEN 'scheduled' ELSE 'queued' END,
            max_attempts, due_at, timeout_ms, unique_key,
            CASE WHEN tags IS NULL THEN '{}'::text[]
                 ELSE ARRAY(SELECT jsonb_array_elements_text(tags::jsonb)) END,
            backoff::jsonb
     FROM (
       SELECT t.*, COALESCE(t.run_at, now() + t.delay_ms * interval '1 millisecond') AS due_at
       FROM unnest(
         $1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[],
         $7::float8[], $8::timestamptz[], $9::int[], $10::text[], $11::text[], $12::text[]
       ) WITH ORDINALITY AS t(queue, handler, method, params, priority, max_attempts,
                              delay_ms, run_at, timeout_ms, unique_key, tags, backoff, ord)
     ) due
     ORDER BY ord
     ${onConflict}
     RETURNING ${INSERTED_COLUMNS_SQL}, j.unique_key`;
}

/** For batches without unique keys: no speculative insertion (measured: 8% of a 50,000-job insert). */
const INSERT = insertStatement('');

/** A job whose unique key an unfinished job holds is skipped (and reported as that job). */
const INSERT_UNIQUE = insertStatement(`ON CONFLICT (unique_key)
       WHERE unique_key IS NOT NULL AND state IN ('scheduled', 'queued', 'running', 'retrying')
       DO NOTHING`);

/** Jobs per statement: a larger batch goes as several statements in one transaction. */
export const INSERT_CHUNK_SIZE = 5_000;

type ReturnedRow = InsertedRow & { unique_key: string | null };

/**
 * Inserts every job, all or none: one statement over unnest()ed arrays, or for more than
 * INSERT_CHUNK_SIZE jobs one statement per chunk, pipelined in one transaction so that the
 * database inserts one chunk while the next is encoded. A job whose unique key is held by an
 * unfinished job is not inserted: that job is returned in its place.
 */
export async function insertJobs(c: Connection, input: readonly NewJob[]): Promise<Job[]> {
  if (input.length === 0) return [];
  let rows: ReturnedRow[];
  if (input.length <= INSERT_CHUNK_SIZE) {
    rows = await insertChunk(c.sql, input);
  } else {
    rows = (
      await c.sql.begin(async (tx) => {
        const sent: Promise<ReturnedRow[]>[] = [];
        for (let from = 0; from < input.length; from += INSERT_CHUNK_SIZE) {
          const chunk = insertChunk(tx, input.slice(from, from + INSERT_CHUNK_SIZE));
          // Never left unhandled while later chunks are encoded; Promise.all reports it.
          chunk.catch(() => {});
          sent.push(chunk);
          // Let the driver write this chunk before encoding the next one.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return Promise.all(sent);
      })
    ).flat();
  }
  // Ids follow input order (each SELECT is ordered, chunks run in order), so sorted rows line
  // up with the input, minus the jobs whose unique key was held.
  // (Usually they come back sorted already: the sort then only checks.)
  const inserted = rows.sort((a, b) => compareIds(a.id, b.id));
  if (inserted.length === input.length) {
    return input.map((job, i) => jobFromInsert(job, inserted[i] as InsertedRow));
  }
  return matchDuplicates(c, input, inserted);
}

/** One insert statement for `input`. */
function insertChunk(sql: Executor, input: readonly NewJob[]): Promise<ReturnedRow[]> {
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
    tags: [] as (string | null)[],
    backoff: [] as string[],
  };
  const queues = new Set<string>();
  // Jobs of one batch usually share their policy object: encode each object once.
  const backoffJson = new Map<object, string>();
  let anyUniqueKey = false;
  for (const job of input) {
    queues.add(job.queue);
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
    if (job.uniqueKey !== null) anyUniqueKey = true;
    cols.tags.push(job.tags.length === 0 ? null : JSON.stringify(job.tags));
    let backoff = backoffJson.get(job.backoff);
    if (backoff === undefined) {
      backoff = JSON.stringify(job.backoff);
      backoffJson.set(job.backoff, backoff);
    }
    cols.backoff.push(backoff);
  }
  return sql.unsafe<ReturnedRow[]>(
    anyUniqueKey ? INSERT_UNIQUE : INSERT,
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
      [...queues],
    ].map(pgArray),
    { prepare: true },
  );
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
  inserted: readonly ReturnedRow[],
): Promise<Job[]> {
  const byKey = new Map<string, Job>();
  const missingKeys = new Set<string>();
  let next = 0;
  const out: (Job | string)[] = [];
  for (const job of input) {
    const candidate = inserted[next];
    if (job.uniqueKey === null || candidate?.unique_key === job.uniqueKey) {
      if (candidate === undefined) throw new Error('insert returned fewer rows than expected');
      next += 1;
      const created = jobFromInsert(job, candidate);
      if (created.uniqueKey !== null) byKey.set(created.uniqueKey, created);
      out.push(created);
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
