import { type Job, type JobError, jobLogLine } from '@jobs/core';
import type { TypedEmitter } from './emitter.js';
import { formatErrorLogEntry, type JobLogStatus, type JobLogs } from './job-log.js';
import type { Logger } from './logger.js';
import type { WorkerErrorSource, WorkerEvents } from './types.js';

/**
 * Where the worker's parts tell what happened: the two log files, the worker's events and its
 * logger. One per worker, shared by the claim loop, the executor, the completer and the stop.
 */
export class Journal {
  #lastLogTime = new Date(Number.NaN);

  constructor(
    private readonly deps: {
      readonly logs: JobLogs;
      readonly events: TypedEmitter<WorkerEvents>;
      readonly logger: Logger;
      readonly workerId: string;
      readonly nowMs: () => number;
    },
  ) {}

  /** The worker's events. */
  get events(): TypedEmitter<WorkerEvents> {
    return this.deps.events;
  }

  /** The worker's own log. */
  get logger(): Logger {
    return this.deps.logger;
  }

  /** One job-log line. */
  job(job: Job, status: JobLogStatus, attempt: number, durationMs?: number): void {
    this.deps.logs.jobs.append(
      jobLogLine(this.#logTime(), job, status, attempt, durationMs, this.deps.workerId),
    );
  }

  /** One error-log entry for a failed attempt. */
  error(job: Job, error: JobError, status: 'retrying' | 'failed'): void {
    this.deps.logs.errors.append(formatErrorLogEntry(job, error, status));
  }

  /** A store or file failure that the worker retries: logged and emitted as `error`. */
  report(error: unknown, source: WorkerErrorSource, fields: Record<string, unknown> = {}): void {
    this.deps.logger.error(`worker ${source} failed; retrying`, { source, error, ...fields });
    this.deps.events.emit('error', { error, source });
  }

  /** The time for a job-log line; one Date per millisecond, as lines come in bursts. */
  #logTime(): Date {
    const ms = this.deps.nowMs();
    if (ms !== this.#lastLogTime.getTime()) this.#lastLogTime = new Date(ms);
    return this.#lastLogTime;
  }
}
