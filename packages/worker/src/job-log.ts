import {
  escapeLogText,
  type Job,
  type JobError,
  quotedLogName as quoted,
  quoteLogText,
} from '@jobs/core';
import type { AppendLog } from './log-files.js';

// The job-log line is core's (the API writes the same lines when it cancels, retries or deletes).
export type { JobLogEntry, JobLogStatus } from '@jobs/core';
export { formatJobLogLine } from '@jobs/core';

/**
 * One error-log entry: a first line like the job log's, with `status` (retrying or failed) and
 * `error="<name>: <message>"`, then the stack, each of its lines indented by two spaces. Every
 * field and stack line goes through `escapeLogText`, so no text from a handler holds a line
 * break or a control character: a line starting with a timestamp is always the head of a real
 * entry, and every other line of an entry starts with two spaces.
 */
export function formatErrorLogEntry(
  job: Pick<Job, 'id' | 'handler' | 'method'>,
  error: JobError,
  status: 'retrying' | 'failed',
): string {
  const head =
    `${entryTime(error.at)} id=${escapeLogText(job.id)} handler=${quoted(job.handler)}` +
    ` method=${quoted(job.method)} status=${status} attempt=${error.attempt}` +
    ` worker=${quoted(error.workerId ?? '')} error=${quoteLogText(`${error.name}: ${error.message}`)}\n`;
  if (error.stack === undefined) return head;
  const stack = error.stack
    .split(/\r?\n/)
    .map((line) => `  ${escapeLogText(line)}\n`)
    .join('');
  return head + stack;
}

/**
 * `at` (an error's ISO time) as the timestamp that starts an error-log entry. A time that does
 * not parse (an error entry edited by hand in the database) becomes the epoch rather than text,
 * so every entry still starts with a timestamp and nothing else does.
 */
function entryTime(at: string): string {
  if (ISO_TIME.test(at)) return at;
  const ms = Date.parse(at);
  return new Date(Number.isNaN(ms) ? 0 : ms).toISOString();
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Both log files of the original system. */
export interface JobLogs {
  readonly jobs: AppendLog;
  readonly errors: AppendLog;
}
