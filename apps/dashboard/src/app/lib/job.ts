import { ERRORS_KEPT_FIRST, ERRORS_KEPT_LAST } from '@jobs/core';
import type { Job, JobState } from '../api/types.js';

/** States a job can be cancelled from (the API's rule). */
const CANCELLABLE: ReadonlySet<JobState> = new Set([
  'waiting',
  'scheduled',
  'queued',
  'retrying',
  'running',
]);
/** States a job can be run again from by hand. */
const RETRYABLE: ReadonlySet<JobState> = new Set(['failed', 'cancelled', 'retrying', 'scheduled']);

/** True when the job can be cancelled. */
export function canCancel(state: JobState): boolean {
  return CANCELLABLE.has(state);
}

/** True when the job can be retried (run again now). */
export function canRetry(state: JobState): boolean {
  return RETRYABLE.has(state);
}

/** True when the job can be deleted (anything but running). */
export function canDelete(state: JobState): boolean {
  return state !== 'running';
}

/** True for states a job never leaves by itself. */
export function isFinal(state: JobState): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled';
}

/** Milliseconds the job ran (its current or last attempt), or null if it has not started. */
export function jobDurationMs(
  job: Pick<Job, 'startedAt' | 'finishedAt' | 'state'>,
  now: Date,
): number | null {
  if (job.startedAt === null) return null;
  const start = new Date(job.startedAt).getTime();
  if (job.finishedAt !== null) return Math.max(0, new Date(job.finishedAt).getTime() - start);
  return job.state === 'running' ? Math.max(0, now.getTime() - start) : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The job's progress as a percentage from 0 to 100, when it can be told: a number (taken as a
 * percentage), or an object with `percent`, or with `done`/`current` and `total`.
 */
export function progressPercent(progress: unknown): number | null {
  const clamp = (n: number) => Math.min(100, Math.max(0, n));
  const direct = finite(progress);
  if (direct !== null) return clamp(direct);
  if (typeof progress !== 'object' || progress === null || Array.isArray(progress)) return null;
  const p = progress as Record<string, unknown>;
  const percent = finite(p.percent) ?? finite(p.pct);
  if (percent !== null) return clamp(percent);
  const done = finite(p.done) ?? finite(p.current) ?? finite(p.completed);
  const total = finite(p.total);
  if (done !== null && total !== null && total > 0) return clamp((done / total) * 100);
  return null;
}

/** One moment in a job's life, for the timeline. */
export interface TimelineEntry {
  readonly at: string;
  readonly kind:
    | 'created'
    | 'scheduled'
    | 'failed-attempt'
    | 'dropped-errors'
    | 'started'
    | 'finished';
  readonly title: string;
  /** The worker involved, when known. */
  readonly worker?: string | undefined;
  /** For a failed attempt: the error's name and message, and its stack. */
  readonly error?: { readonly name: string; readonly message: string; readonly stack?: string };
  /** The state the job finished in. */
  readonly state?: JobState;
}

/** Stands for the attempt errors a job did not keep, just before the first of its last ones. */
function droppedErrors(job: Job, at: string): TimelineEntry {
  const n = job.errorsDropped;
  return {
    at,
    kind: 'dropped-errors',
    title: `${n} earlier error${n === 1 ? '' : 's'} not kept (a job keeps its first ${ERRORS_KEPT_FIRST} and last ${ERRORS_KEPT_LAST})`,
  };
}

/**
 * The job's timeline, oldest first: created, scheduled for (when it was to wait), each failed
 * attempt with its worker and error, the start of the current or last attempt, and the end.
 */
export function jobTimeline(job: Job): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: job.createdAt, kind: 'created', title: 'Created' }];
  const firstRun = job.errors.length === 0 ? job.runAt : null;
  if (
    firstRun !== null &&
    new Date(firstRun).getTime() - new Date(job.createdAt).getTime() > 1000 &&
    job.startedAt === null
  ) {
    entries.push({ at: firstRun, kind: 'scheduled', title: 'Scheduled to run' });
  }
  for (const [index, error] of job.errors.entries()) {
    if (index === ERRORS_KEPT_FIRST && job.errorsDropped > 0)
      entries.push(droppedErrors(job, error.at));
    entries.push({
      at: error.at,
      kind: 'failed-attempt',
      title: `Attempt ${error.attempt} failed`,
      worker: error.workerId,
      error: {
        name: error.name,
        message: error.message,
        ...(error.stack === undefined ? {} : { stack: error.stack }),
      },
    });
  }
  const lastErrorAttempt = job.errors.at(-1)?.attempt ?? 0;
  if (job.startedAt !== null && job.attempt > lastErrorAttempt) {
    entries.push({
      at: job.startedAt,
      kind: 'started',
      title: `Attempt ${job.attempt} started`,
      worker: job.leaseOwner ?? undefined,
    });
  }
  if (job.state === 'retrying') {
    entries.push({ at: job.runAt, kind: 'scheduled', title: 'Next attempt' });
  }
  if (job.finishedAt !== null && job.state !== 'failed') {
    entries.push({
      at: job.finishedAt,
      kind: 'finished',
      title: job.state === 'completed' ? 'Completed' : `Ended ${job.state}`,
      state: job.state,
    });
  } else if (job.finishedAt !== null) {
    entries.push({
      at: job.finishedAt,
      kind: 'finished',
      title: 'Failed for good',
      state: job.state,
    });
  }
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        new Date(a.entry.at).getTime() - new Date(b.entry.at).getTime() || a.index - b.index,
    )
    .map(({ entry }) => entry);
}
