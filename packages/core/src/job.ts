import type { JobScheduleRef } from './schedules/store.js';

/**
 * Terminology
 * - job: one request to run `handler.method(...params)`, stored as a row.
 * - attempt: one execution of a job by a worker; `attempt` counts those started so far.
 * - retries: how many more attempts a failed job gets after the first (`maxAttempts = retries + 1`).
 * - lease: the time-limited claim a worker holds on a running job; it renews it while it works.
 * - rescue: taking back a running job whose lease expired (its worker died), counting the
 *   attempt as failed with "worker lost".
 * - queue: a named lane of jobs; workers choose which queues they serve, a queue can be paused.
 */

/** Every state a job can be in, in lifecycle order. */
export const JOB_STATES = [
  'waiting',
  'scheduled',
  'queued',
  'running',
  'retrying',
  'completed',
  'failed',
  'cancelled',
] as const;

/**
 * Where a job is in its life. Who moves jobs in and out of each state:
 * - `waiting`: enqueued with dependencies not yet finished (client, flows); never claimed. The
 *   statement that finishes its last dependency makes it `queued` or `scheduled` (or `cancelled`
 *   by its dependency policy); a hand retry of the dependency that cancelled it brings it back.
 * - `scheduled`: enqueued with a run time in the future (client); claimed by a worker once due.
 * - `queued`: enqueued to run now (client), retried by hand, or released by a worker shutting down.
 * - `running`: claimed by a worker holding a lease; left by complete, fail, cancel, release or rescue.
 * - `retrying`: an attempt failed and attempts remain; claimed again once `runAt` has come.
 * - `completed`: the handler returned (worker). Final.
 * - `failed`: no attempts left, or a `PermanentError` (worker, rescue). Final until retried by hand.
 * - `cancelled`: cancelled by a person or program (client, API, CLI). Final until retried by hand.
 */
export type JobState = (typeof JOB_STATES)[number];

/** States a worker may claim from, once `runAt` has come. */
export const RUNNABLE_STATES = [
  'scheduled',
  'queued',
  'retrying',
] as const satisfies readonly JobState[];

/** States a job never leaves by itself. */
export const FINAL_STATES = [
  'completed',
  'failed',
  'cancelled',
] as const satisfies readonly JobState[];

/** A value that survives a trip through JSON. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** What a failed attempt left behind. */
export interface JobError {
  /** The attempt (1-based) that failed. */
  readonly attempt: number;
  /** The error's message. */
  readonly message: string;
  /** The error's class name (`Error`, `TypeError`, `PermanentError`, `TimeoutError`, ...). */
  readonly name: string;
  /** The stack trace, when the thrown value had one. */
  readonly stack?: string;
  /** When the attempt failed (ISO-8601). */
  readonly at: string;
  /** The worker that ran the attempt, when known. */
  readonly workerId?: string;
}

/**
 * How many attempt errors a job keeps: the first `ERRORS_KEPT_FIRST` (how it started failing)
 * and the last `ERRORS_KEPT_LAST` (how it fails now). Those between are dropped and counted in
 * `Job.errorsDropped`, so a job retried without end stays a small row.
 */
export const ERRORS_KEPT_FIRST = 5;

/** How many of a job's latest attempt errors are kept; see `ERRORS_KEPT_FIRST`. */
export const ERRORS_KEPT_LAST = 20;

/** A line a handler logged through its job context. */
export interface JobLogLine {
  /** When it was logged (ISO-8601). */
  readonly at: string;
  /** The text, cut to a bounded length. */
  readonly line: string;
}

/** How long to wait before the next attempt of a failed job. */
export type RetryPolicy =
  | {
      /** The same delay before every retry. */
      readonly kind: 'fixed';
      /** Milliseconds to wait. */
      readonly delayMs: number;
      /** Share of the delay (0..1) that is randomly taken off, to spread retries out. */
      readonly jitter?: number;
    }
  | {
      /** `baseMs * factor^(attempt - 1)`, never more than `maxMs`. */
      readonly kind: 'exponential';
      /** Delay after the first failed attempt, in milliseconds. */
      readonly baseMs: number;
      /** Growth per attempt (default 2). */
      readonly factor?: number;
      /** The cap, in milliseconds. */
      readonly maxMs: number;
      /** Share of the delay (0..1) that is randomly taken off, to spread retries out. */
      readonly jitter?: number;
    };

/**
 * The trace context a job carries from its enqueue to its attempts: the W3C `traceparent` (and
 * `tracestate`) fields the registered OpenTelemetry propagator wrote (see tracing.ts).
 */
export type TraceCarrier = Readonly<Record<string, string>>;

/** One job as stored. */
export interface Job {
  /** Database id: a bigint, carried as a decimal string. */
  readonly id: string;
  /** The queue it waits in. */
  readonly queue: string;
  /** The registered handler's name, e.g. `App\Services\SomeClass`. */
  readonly handler: string;
  /** The handler's method to call. */
  readonly method: string;
  /**
   * Arguments passed to the method, in order. Every write checks that this is an array; a row
   * written by hand before that check (migration 0008) may hold another JSON value, which
   * readers pass on as it is and a worker fails at once.
   */
  readonly params: readonly JsonValue[];
  /** Higher runs first. */
  readonly priority: number;
  /** Where the job is in its life. */
  readonly state: JobState;
  /** Attempts started so far (0 before the first claim). */
  readonly attempt: number;
  /** Attempts allowed in all: retries + 1. */
  readonly maxAttempts: number;
  /** Not to run before this time. */
  readonly runAt: Date;
  /** When it was enqueued. */
  readonly createdAt: Date;
  /** When the latest attempt started. */
  readonly startedAt: Date | null;
  /** When it reached a final state. */
  readonly finishedAt: Date | null;
  /** The worker holding the lease while running. */
  readonly leaseOwner: string | null;
  /** When that lease runs out unless renewed. */
  readonly leaseExpiresAt: Date | null;
  /** Per-attempt time limit in milliseconds, or null for none. */
  readonly timeoutMs: number | null;
  /** What the handler last reported through `progress()`. */
  readonly progress: JsonValue | null;
  /** What the handler returned. */
  readonly result: JsonValue | null;
  /**
   * One entry per failed attempt, oldest first: the first `ERRORS_KEPT_FIRST` and the last
   * `ERRORS_KEPT_LAST` of them when there were more.
   */
  readonly errors: readonly JobError[];
  /** How many attempt errors were dropped between the first and the last ones kept. */
  readonly errorsDropped: number;
  /** Lines logged by the handler, oldest first, bounded in count. */
  readonly logs: readonly JobLogLine[];
  /** At most one unfinished job may hold a given key. */
  readonly uniqueKey: string | null;
  /** Free-form labels for search. */
  readonly tags: readonly string[];
  /** The backoff applied when an attempt fails. */
  readonly backoff: RetryPolicy;
  /** The schedule and tick that made it; null (or absent) for a job enqueued otherwise. */
  readonly schedule?: JobScheduleRef | null;
  /** Jobs sharing this key run at most the queue's `keyConcurrency` at once; null for none. */
  readonly concurrencyKey: string | null;
  /** The trace context of its enqueue (OpenTelemetry), or null when none was recorded. */
  readonly traceContext: TraceCarrier | null;
}
