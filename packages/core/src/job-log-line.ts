import type { Job } from './job.js';
import { escapeLogText, quoteLogText } from './log-text.js';

/**
 * What a job-log line reports: a state the job reached (`running`, `completed`, `retrying`,
 * `failed`, `cancelled`, `queued` after a release or a retry), `deleted` when it was removed,
 * or `lease-lost` when the worker writing the line lost it.
 */
export type JobLogStatus =
  | 'running'
  | 'completed'
  | 'retrying'
  | 'failed'
  | 'cancelled'
  | 'queued'
  | 'deleted'
  | 'lease-lost';

/** One job-log entry. */
export interface JobLogEntry {
  readonly at: Date;
  readonly job: Pick<Job, 'id' | 'handler' | 'method'>;
  readonly status: JobLogStatus;
  readonly attempt: number;
  /** Milliseconds the attempt ran, when it ended. */
  readonly durationMs?: number;
  /** The process that made the change and writes the line: a worker's id, or the API's. */
  readonly workerId: string;
}

/**
 * One job-log line: `<ISO time> id=<id> handler="<name>" method="<name>" status=<status>
 * attempt=<n> duration_ms=<ms|-> worker="<id>"`. Names are quoted with `quoteLogText` (JSON
 * string literals with every control character escaped), so a line is always one line of
 * printable text and splits on spaces. Every process that changes a job writes lines this way.
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

/**
 * `value` quoted for a log, remembered: a worker writes few distinct names and one worker id.
 * Shared with the error log's entries (see the worker's `formatErrorLogEntry`).
 */
export function quotedLogName(value: string): string {
  let text = QUOTED.get(value);
  if (text === undefined) {
    if (QUOTED.size >= QUOTED_LIMIT) QUOTED.clear();
    text = quoteLogText(value);
    QUOTED.set(value, text);
  }
  return text;
}

const quoted = quotedLogName;

const QUOTED_LIMIT = 1_000;
const QUOTED = new Map<string, string>();
