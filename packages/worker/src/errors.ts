import { JobsError } from '@jobs/core';

/** The attempt ran past the job's `timeoutMs`; retried like any other failure. */
export class TimeoutError extends JobsError {
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super('timeout', `the attempt did not finish within its timeout of ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The job was cancelled by a person or program while it ran (the signal's reason). */
export class JobCancelledError extends JobsError {
  constructor(id: string) {
    super('cancelled', `job ${id} was cancelled`);
  }
}

/** This worker no longer holds the job's lease (cancelled or rescued elsewhere). */
export class LeaseLostError extends JobsError {
  constructor(id: string) {
    super('lease_lost', `the lease on job ${id} was lost`);
  }
}

/** The worker is shutting down and hands the job back (the signal's reason). */
export class WorkerStoppingError extends JobsError {
  constructor() {
    super('worker_stopping', 'the worker is shutting down; the job goes back to the queue');
  }
}

/** The child process running an isolated handler died before it answered. */
export class IsolatedProcessError extends JobsError {
  /** Its exit code, when it exited. */
  readonly exitCode: number | null;
  /** The signal that ended it, when one did. */
  readonly signal: string | null;

  constructor(message: string, exitCode: number | null, signal: string | null) {
    super('isolated_process_crashed', message);
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** A value handed to the worker is out of bounds. */
export class WorkerOptionsError extends JobsError {
  constructor(field: string, message: string) {
    super('invalid_worker_options', `${field}: ${message}`);
  }
}

/** `jobContext()` was called outside a running job. */
export class NoJobContextError extends JobsError {
  constructor() {
    super('no_job_context', 'jobContext() may only be called while a job handler runs');
  }
}

/** The worker was asked to do something its state does not allow (start twice). */
export class WorkerStateError extends JobsError {
  constructor(message: string) {
    super('invalid_worker_state', message);
  }
}
