import { escapeLogText, type Job, type JobError, quoteLogText } from '@jobs/core';
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
 * attempt=<n> duration_ms=<ms|-> worker="<id>"`. Names are quoted with `quoteLogText` (JSON
 * string literals with every control character escaped), so a line is always one line of
 * printable text and splits on spaces.
 */
export function formatJobLogLine(entry: JobLogEntry): string {
  const duration = entry.durationMs === undefined ? '-' : String(Math.round(entry.durationMs));
  return (
    `${isoTime(entry.at)} id=${escapeLogText(entry.job.id)} handler=${quoted(entry.job.handler)}` +
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

/** `value` quoted for a log, remembered: a worker writes few distinct names and one worker id. */
function quoted(value: string): string {
  let text = QUOTED.get(value);
  if (text === undefined) {
    if (QUOTED.size >= QUOTED_LIMIT) QUOTED.clear();
    text = quoteLogText(value);
    QUOTED.set(value, text);
  }
  return text;
}

const QUOTED_LIMIT = 1_000;
const QUOTED = new Map<string, string>();

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

/** Writes a job-log line. */
export function writeJobLog(logs: JobLogs, entry: JobLogEntry): void {
  logs.jobs.append(formatJobLogLine(entry));
}
