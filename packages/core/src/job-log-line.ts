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
  return jobLogLine(
    entry.at,
    entry.job,
    entry.status,
    entry.attempt,
    entry.durationMs,
    entry.workerId,
  );
}

/**
 * `formatJobLogLine` with the entry's fields as arguments, for a worker that writes two lines
 * per job (no entry object to build for each).
 */
export function jobLogLine(
  at: Date,
  job: Pick<Job, 'id' | 'handler' | 'method'>,
  status: JobLogStatus,
  attempt: number,
  durationMs: number | undefined,
  workerId: string,
): string {
  // Few pieces, most of them remembered: a busy worker writes two lines per job, and each `+`
  // of a template literal is a string the garbage collector has to take back.
  const duration =
    durationMs === undefined ? ' duration_ms=-' : ` duration_ms=${Math.round(durationMs)}`;
  return (
    timeHead(at) +
    escapeLogText(job.id) +
    namesPart(job.handler, job.method) +
    STATUS_PART[status] +
    attempt +
    duration +
    workerPart(workerId)
  );
}

/** `<ISO time> id=` for `at`; a busy worker writes many lines within one millisecond. */
function timeHead(at: Date): string {
  const ms = at.getTime();
  if (ms !== lastHead.ms) lastHead = { ms, text: `${at.toISOString()} id=` };
  return lastHead.text;
}

let lastHead = { ms: Number.NaN, text: '' };

/** ` status=<status> attempt=` for each status. */
const STATUS_PART: Readonly<Record<JobLogStatus, string>> = {
  running: ' status=running attempt=',
  completed: ' status=completed attempt=',
  retrying: ' status=retrying attempt=',
  failed: ' status=failed attempt=',
  cancelled: ' status=cancelled attempt=',
  queued: ' status=queued attempt=',
  deleted: ' status=deleted attempt=',
  'lease-lost': ' status=lease-lost attempt=',
};

/** ` handler="<name>" method="<name>"`, remembered per handler and method (no key to build). */
function namesPart(handler: string, method: string): string {
  const methods = NAMES.get(handler) ?? remember(NAMES, handler, new Map<string, string>());
  return (
    methods.get(method) ??
    remember(methods, method, ` handler=${quoted(handler)} method=${quoted(method)}`)
  );
}

const NAMES = new Map<string, Map<string, string>>();

/** ` worker="<id>"` and the line's end, remembered (a process writes as one or a few ids). */
function workerPart(workerId: string): string {
  return WORKERS.get(workerId) ?? remember(WORKERS, workerId, ` worker=${quoted(workerId)}\n`);
}

const WORKERS = new Map<string, string>();

/**
 * `value` quoted for a log, remembered: a worker writes few distinct names and one worker id.
 * Shared with the error log's entries (see the worker's `formatErrorLogEntry`).
 */
export function quotedLogName(value: string): string {
  return QUOTED.get(value) ?? remember(QUOTED, value, quoteLogText(value));
}

/**
 * Keeps `value` in `cache` under `key` and returns it; a full cache is emptied first, so that
 * names that never repeat cannot grow it without bound. Callers look the key up first
 * (`cache.get(key) ?? remember(...)`), so a hit builds nothing.
 */
function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= REMEMBERED_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

const quoted = quotedLogName;

const REMEMBERED_LIMIT = 1_000;
const QUOTED = new Map<string, string>();
