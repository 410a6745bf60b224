import type { Job, JobState } from '@jobs/core';
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
