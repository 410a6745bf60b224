import type { JobState } from './job.js';
import { eventVerb, transitionRule } from './transition-rules.js';

/** Base class of every error this project throws on purpose. */
export class JobsError extends Error {
  /** A stable machine-readable code, used by the API's error bodies. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A value given by a caller is out of bounds or of the wrong shape. */
export class ValidationError extends JobsError {
  /** The field at fault, dotted for nested fields (`params.0.email`). */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('validation_error', `${field}: ${message}`, options);
    this.field = field;
  }
}

/** The handler or method is not on the allow-list. */
export class UnknownHandlerError extends JobsError {
  readonly handler: string;
  readonly method: string | undefined;

  constructor(handler: string, method?: string) {
    super(
      'unknown_handler',
      method === undefined
        ? `handler "${handler}" is not registered`
        : `method "${method}" is not a registered method of handler "${handler}"`,
    );
    this.handler = handler;
    this.method = method;
  }
}

/**
 * A transition was asked for that the state machine does not allow. The message says it as a
 * user would (`cannot retry a job that is completed: only failed, cancelled, retrying or
 * scheduled jobs can be retried`); `event` keeps the machine name (`retry-now`).
 */
export class IllegalTransitionError extends JobsError {
  readonly from: JobState;
  readonly event: string;

  /** `reason` replaces the rule in the message (`all 3 attempts used`). */
  constructor(from: JobState, event: string, reason?: string) {
    const why = reason ?? transitionRule(event);
    super(
      'illegal_transition',
      `cannot ${eventVerb(event)} a job that is ${from}${why === undefined ? '' : `: ${why}`}`,
    );
    this.from = from;
    this.event = event;
  }
}

/** No job has the given id. */
export class JobNotFoundError extends JobsError {
  readonly id: string;

  constructor(id: string) {
    super('not_found', `job ${id} does not exist`);
    this.id = id;
  }
}

/** Thrown by a handler to fail the job at once, skipping any retries left. */
export class PermanentError extends JobsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permanent_error', message, options);
  }
}

/** The store could not be reached or answered with a failure it could not map. */
export class StoreUnavailableError extends JobsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store_unavailable', message, options);
  }
}

/**
 * The store refused a write for what it held (a value it cannot store, a broken constraint),
 * not for being unreachable: sending the same write again fails the same way.
 */
export class StoreRejectedError extends JobsError {
  /** The database's own error code (SQLSTATE), when it gave one. */
  readonly sqlState: string | undefined;

  constructor(message: string, options?: { cause?: unknown; sqlState?: string }) {
    super('store_rejected', message, options);
    this.sqlState = options?.sqlState;
  }
}
