import type { Job, JobError } from '@jobs/core';
import type { AppendLog } from './log-files.js';

/**
 * What a job-log line reports: a state the job reached (`running`, `completed`, `retrying`,
 * `failed`, `cancelled`, `queued` after a release) or `lease-lost` when this worker lost it.
 */
export type JobLogStatus =
  | 'running'
  | 'completed'
  | 'retrying'
  | 'failed'
  | 'cancelled'
  | 'queued'
  | 'lease-lost';

/** One job-log entry. */
export interface JobLogEntry {
  readonly at: Date;
  readonly job: Pick<Job, 'id' | 'handler' | 'method'>;
  readonly status: JobLogStatus;
  readonly attempt: number;
  /** Milliseconds the attempt ran, when it ended. */
  readonly durationMs?: number;
  /** The worker writing the line. */
  readonly workerId: string;
}

/**
 * One job-log line: `<ISO time> id=<id> handler="<name>" method="<name>" status=<status>
 * attempt=<n> duration_ms=<ms|-> worker="<id>"`. Names are JSON-quoted so a line is always one
 * line and splits on spaces.
 */
export function formatJobLogLine(entry: JobLogEntry): string {
  const duration = entry.durationMs === undefined ? '-' : String(Math.round(entry.durationMs));
  return (
    `${isoTime(entry.at)} id=${entry.job.id} handler=${quoted(entry.job.handler)}` +
    ` method=${quoted(entry.job.method)} status=${entry.status} attempt=${entry.attempt}` +
    ` duration_ms=${duration} worker=${quoted(entry.workerId)}\n`
  );
}

/** `at` as ISO 8601; a busy worker writes many lines within one millisecond. */
function isoTime(at: Date): string {
  const ms = at.getTime();
  if (ms !== lastIso.ms) lastIso = { ms, text: at.toISOString() };
  return lastIso.text;
}

let lastIso = { ms: Number.NaN, text: '' };

/** `value` JSON-quoted, remembered: a worker writes few distinct names and one worker id. */
function quoted(value: string): string {
  let text = QUOTED.get(value);
  if (text === undefined) {
    if (QUOTED.size >= QUOTED_LIMIT) QUOTED.clear();
    text = JSON.stringify(value);
    QUOTED.set(value, text);
  }
  return text;
}

const QUOTED_LIMIT = 1_000;
const QUOTED = new Map<string, string>();

/**
 * One error-log entry: a first line like the job log's, with `status` (retrying or failed) and
 * `error="<name>: <message>"`, then the stack, each line indented by two spaces. Entries are
 * written whole, so each starts at a line beginning with a timestamp.
 */
export function formatErrorLogEntry(
  job: Pick<Job, 'id' | 'handler' | 'method'>,
  error: JobError,
  status: 'retrying' | 'failed',
): string {
  const head =
    `${error.at} id=${job.id} handler=${JSON.stringify(job.handler)}` +
    ` method=${JSON.stringify(job.method)} status=${status} attempt=${error.attempt}` +
    ` worker=${JSON.stringify(error.workerId ?? '')} error=${JSON.stringify(`${error.name}: ${error.message}`)}\n`;
  if (error.stack === undefined) return head;
  const stack = error.stack
    .split(/\r?\n/)
    .map((line) => `  ${line}\n`)
    .join('');
  return head + stack;
}

/** Both log files of the original system. */
export interface JobLogs {
  readonly jobs: AppendLog;
  readonly errors: AppendLog;
}

/** Writes a job-log line. */
export function writeJobLog(logs: JobLogs, entry: JobLogEntry): void {
  logs.jobs.append(formatJobLogLine(entry));
}
