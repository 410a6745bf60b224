import {
  formatJobLogLine,
  formatPruneLogLine,
  type Job,
  type JobLogStatus,
  type PruneBatch,
} from '@jobs/core';

/**
 * Where the API appends its job-log lines. The composition root (`jobs serve`, `jobs start`)
 * opens the job log file and passes this in, so the API itself does no file writing.
 */
export interface JobLogSink {
  /** Appends whole lines, each ending in a newline; must not throw. */
  append(text: string): void;
  /** Names this process in the lines' `worker` field (default `api`). */
  readonly name?: string;
}

/** The job-log lines of the changes this API process makes (cancel, retry, delete). */
export interface ChangeLog {
  /** False without a sink: callers skip reads done only for the log. */
  readonly enabled: boolean;
  /** Writes one line per job, in one append. */
  record(
    jobs: readonly Pick<Job, 'id' | 'handler' | 'method' | 'attempt'>[],
    status: JobLogStatus,
  ): void;
  /** Writes one line for a batch of pruned jobs (never a line per job). */
  pruned(batch: PruneBatch): void;
}

/** A ChangeLog writing core's job-log lines to `sink`; one that writes nothing without one. */
export function createChangeLog(
  sink: JobLogSink | undefined,
  now: () => Date = () => new Date(),
): ChangeLog {
  if (sink === undefined) return { enabled: false, record: () => {}, pruned: () => {} };
  const workerId = sink.name ?? 'api';
  return {
    enabled: true,
    record(jobs, status) {
      if (jobs.length === 0) return;
      const at = now();
      sink.append(
        jobs
          .map((job) => formatJobLogLine({ at, job, status, attempt: job.attempt, workerId }))
          .join(''),
      );
    },
    pruned(batch) {
      sink.append(formatPruneLogLine(now(), batch, workerId));
    },
  };
}
