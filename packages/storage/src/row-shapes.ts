import { DEFAULT_RETRY_POLICY, type JobError, type JobLogLine, type RetryPolicy } from '@jobs/core';

/**
 * Tolerant reads of the JSON and array columns a person or another SQL client may have written
 * by hand. The table's checks (migration 0008) refuse such values on every write, but rows
 * older than the checks are not scanned: whatever they hold, a read gives the model's shape
 * and never throws. Well-formed values are passed on as they are, without copying.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function isJobError(value: unknown): value is JobError {
  return (
    isRecord(value) &&
    typeof value.attempt === 'number' &&
    typeof value.message === 'string' &&
    typeof value.name === 'string' &&
    typeof value.at === 'string' &&
    (value.stack === undefined || typeof value.stack === 'string') &&
    (value.workerId === undefined || typeof value.workerId === 'string')
  );
}

function toJobError(value: unknown): JobError {
  if (isJobError(value)) return value;
  if (!isRecord(value)) return { attempt: 0, message: text(value), name: 'Error', at: '' };
  return {
    attempt: typeof value.attempt === 'number' ? value.attempt : 0,
    message: text(value.message),
    name: typeof value.name === 'string' ? value.name : 'Error',
    at: text(value.at),
    ...(typeof value.stack === 'string' ? { stack: value.stack } : {}),
    ...(typeof value.workerId === 'string' ? { workerId: value.workerId } : {}),
  };
}

/** The `errors` column as attempt errors: a non-array is none, odd entries are made readable. */
export function readErrors(value: unknown): readonly JobError[] {
  if (!Array.isArray(value)) return [];
  return value.every(isJobError) ? value : value.map(toJobError);
}

function isLogLine(value: unknown): value is JobLogLine {
  return isRecord(value) && typeof value.at === 'string' && typeof value.line === 'string';
}

/** The `logs` column as log lines: a non-array is none, odd entries are made readable. */
export function readLogs(value: unknown): readonly JobLogLine[] {
  if (!Array.isArray(value)) return [];
  if (value.every(isLogLine)) return value;
  return value.map((entry) =>
    isRecord(entry)
      ? { at: text(entry.at), line: text(entry.line) }
      : { at: '', line: text(entry) },
  );
}

/** The `tags` column without NULL elements (a `text[]` may hold them). */
export function readTags(value: readonly (string | null)[] | null): readonly string[] {
  if (value === null) return [];
  return value.every((tag) => typeof tag === 'string')
    ? (value as readonly string[])
    : value.filter((tag): tag is string => typeof tag === 'string');
}

/** The `backoff` column, or the default policy when it is not one a worker can apply. */
export function readBackoff(value: unknown): RetryPolicy {
  if (!isRecord(value)) return { ...DEFAULT_RETRY_POLICY };
  if (value.kind === 'fixed' && typeof value.delayMs === 'number') return value as RetryPolicy;
  if (
    value.kind === 'exponential' &&
    typeof value.baseMs === 'number' &&
    typeof value.maxMs === 'number'
  ) {
    return value as RetryPolicy;
  }
  return { ...DEFAULT_RETRY_POLICY };
}
