import { IllegalTransitionError } from './errors.js';
import { FINAL_STATES, type Job, type JobState, type RetryPolicy } from './job.js';
import { retryDelayMs } from './retry-policy.js';
import type { FailureOutcome } from './store.js';
import { TRANSITION_SOURCES } from './transition-rules.js';

export { TRANSITION_SOURCES } from './transition-rules.js';

/**
 * Something that happens to a job. Failures carry the job's backoff and a random number in
 * [0, 1) for the jitter, so deciding the next state stays a pure function.
 */
export type JobEvent =
  /** A worker takes the job to run it (starts an attempt). */
  | { readonly type: 'claim' }
  /** The handler returned. */
  | { readonly type: 'complete' }
  /** The handler threw; `permanent` skips any retries left. */
  | {
      readonly type: 'fail';
      readonly permanent?: boolean;
      readonly backoff: RetryPolicy;
      readonly random: number;
    }
  /** A person or program cancels the job. */
  | { readonly type: 'cancel' }
  /** A person or program asks for the job to run again now. */
  | { readonly type: 'retry-now' }
  /** The worker's lease ran out (it died): the rescue fails the attempt. */
  | { readonly type: 'lease-expired'; readonly backoff: RetryPolicy; readonly random: number }
  /** A worker shutting down hands the job back without counting the attempt. */
  | { readonly type: 'release-on-shutdown' };

/** The name of an event. */
export type JobEventType = JobEvent['type'];

/** What the state machine needs to know about a job. */
export type TransitionSubject = Pick<Job, 'state' | 'attempt' | 'maxAttempts'>;

/** A decided transition, for storage to apply with a guard on `from`. */
export interface Transition {
  /** The state the job was in. */
  readonly from: JobState;
  /** The state it moves to. */
  readonly to: JobState;
  /** Attempts started after the transition. */
  readonly attempt: number;
  /** Attempts allowed after the transition. */
  readonly maxAttempts: number;
  /** For `retrying` and `queued` outcomes: milliseconds from now before it may run again. */
  readonly runAfterMs?: number;
}

/** True for states a job never leaves by itself (`completed`, `failed`, `cancelled`). */
export function isFinal(state: JobState): boolean {
  return (FINAL_STATES as readonly JobState[]).includes(state);
}

/** Decides where `event` takes `job`; throws IllegalTransitionError when it may not happen. */
export function transition(job: TransitionSubject, event: JobEvent): Transition {
  const { state: from, attempt, maxAttempts } = job;
  if (!TRANSITION_SOURCES[event.type].includes(from)) {
    throw new IllegalTransitionError(from, event.type);
  }
  switch (event.type) {
    case 'claim':
      if (attempt >= maxAttempts) {
        throw new IllegalTransitionError(from, event.type, `all ${maxAttempts} attempts used`);
      }
      return { from, to: 'running', attempt: attempt + 1, maxAttempts };
    case 'complete':
      return { from, to: 'completed', attempt, maxAttempts };
    case 'fail':
    case 'lease-expired': {
      const permanent = event.type === 'fail' && event.permanent === true;
      if (permanent || attempt >= maxAttempts) return { from, to: 'failed', attempt, maxAttempts };
      const runAfterMs = retryDelayMs(attempt, event.backoff, event.random);
      return { from, to: 'retrying', attempt, maxAttempts, runAfterMs };
    }
    case 'cancel':
      return { from, to: 'cancelled', attempt, maxAttempts };
    case 'retry-now': {
      const allowed = attempt >= maxAttempts ? attempt + 1 : maxAttempts;
      return { from, to: 'queued', attempt, maxAttempts: allowed, runAfterMs: 0 };
    }
    case 'release-on-shutdown':
      return { from, to: 'queued', attempt: Math.max(0, attempt - 1), maxAttempts, runAfterMs: 0 };
  }
}

/** Where a failed attempt of `job` leads: retrying after a delay, or failed for good. */
export function failureOutcome(
  job: TransitionSubject,
  failure: { readonly permanent?: boolean; readonly backoff: RetryPolicy; readonly random: number },
): FailureOutcome {
  const next = transition(job, { type: 'fail', ...failure });
  return next.to === 'retrying'
    ? { state: 'retrying', delayMs: next.runAfterMs ?? 0 }
    : { state: 'failed' };
}
