import type { Job, JobState, NewJob } from '@jobs/core';
import { getTableColumns } from 'drizzle-orm';
import { type JobRow, jobs } from './schema.js';

/**
 * The `jobs` columns aliased to drizzle's property names, for raw statements'
 * `RETURNING`, so raw and query-builder reads share `rowToJob`.
 */
export const JOB_COLUMNS_SQL = Object.entries(getTableColumns(jobs))
  .map(([key, column]) => `j."${column.name}" AS "${key}"`)
  .join(', ');

function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

function toDateOrNull(value: string | Date | null): Date | null {
  return value === null ? null : toDate(value);
}

/** Maps one row to the domain type; the only place that knows both shapes. */
export function rowToJob(row: JobRow): Job {
  return {
    id: String(row.id),
    queue: row.queue,
    handler: row.handler,
    method: row.method,
    params: row.params,
    priority: row.priority,
    state: row.state as JobState,
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    runAt: toDate(row.runAt),
    createdAt: toDate(row.createdAt),
    startedAt: toDateOrNull(row.startedAt),
    finishedAt: toDateOrNull(row.finishedAt),
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: toDateOrNull(row.leaseExpiresAt),
    timeoutMs: row.timeoutMs,
    progress: row.progress ?? null,
    result: row.result ?? null,
    errors: row.errors,
    logs: row.logs,
    uniqueKey: row.uniqueKey,
    tags: row.tags,
    backoff: row.backoff,
  };
}

/** What an insert reads back: the values the database chose (the rest is what was sent). */
export interface InsertedRow {
  readonly id: string;
  readonly state: string;
  readonly run_at: string | Date;
  readonly created_at: string | Date;
}

/** `INSERTED_COLUMNS_SQL` reads these from `jobs j` for `InsertedRow`. */
export const INSERTED_COLUMNS_SQL = 'j.id::text AS id, j.state, j.run_at, j.created_at';

/**
 * The job just inserted from `input`: its id, state and times as the database set them, the
 * rest as sent (the column defaults of a new job: no attempt, lease, progress, result, errors
 * or log lines). Reading the whole row back would parse every job's JSON again. The same JSON
 * values a later read returns, though object keys may come back in another order (jsonb
 * stores them sorted).
 */
export function insertedJob(input: NewJob, row: InsertedRow): Job {
  return {
    id: row.id,
    queue: input.queue,
    handler: input.handler,
    method: input.method,
    params: input.params,
    priority: input.priority,
    state: row.state as JobState,
    attempt: 0,
    maxAttempts: input.maxAttempts,
    runAt: toDate(row.run_at),
    createdAt: toDate(row.created_at),
    startedAt: null,
    finishedAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    timeoutMs: input.timeoutMs,
    progress: null,
    result: null,
    errors: [],
    logs: [],
    uniqueKey: input.uniqueKey,
    tags: input.tags,
    // Its own copy: the input's policy object is often a client default shared by every job.
    backoff: { ...input.backoff },
  };
}
