import { cutText, type JobError, PermanentError, toStorableText } from '@jobs/core';

/** Longest error message kept, in characters. */
export const MAX_ERROR_MESSAGE_LENGTH = 2_000;

/** Longest stack trace kept, in characters. */
export const MAX_ERROR_STACK_LENGTH = 8_000;

/** The name given to a thrown value that is not an Error (a string, an object, undefined). */
export const NON_ERROR_NAME = 'NonErrorThrown';

/** What any thrown value says about itself: a name, a message and maybe a stack. */
export interface ThrownSummary {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** True when `thrown` asks to skip retries: a PermanentError, or anything named like one. */
export function isPermanent(thrown: unknown): boolean {
  return thrown instanceof PermanentError || nameOf(thrown) === 'PermanentError';
}

/** Describes any thrown value without ever throwing itself; lengths are bounded. */
export function summarizeThrown(thrown: unknown): ThrownSummary {
  if (isErrorLike(thrown)) {
    const name = safeString(() => thrown.name) || 'Error';
    const message = safeString(() => thrown.message);
    const stack = safeString(() => thrown.stack);
    return {
      name: cut(name, 200),
      message: cut(
        message === '' ? `${name} thrown without a message` : message,
        MAX_ERROR_MESSAGE_LENGTH,
      ),
      ...(stack === '' ? {} : { stack: cut(stack, MAX_ERROR_STACK_LENGTH) }),
    };
  }
  return {
    name: NON_ERROR_NAME,
    message: cut(
      `the handler threw a non-Error value: ${describeValue(thrown)}`,
      MAX_ERROR_MESSAGE_LENGTH,
    ),
  };
}

/** The error entry recorded for a failed attempt. */
export function toJobError(thrown: unknown, attempt: number, at: Date, workerId: string): JobError {
  return { attempt, ...summarizeThrown(thrown), at: at.toISOString(), workerId };
}

/**
 * Cuts `text` to `max` characters, marking the cut, never inside a surrogate pair, with text
 * PostgreSQL cannot hold replaced (see core's text.ts).
 */
export function cut(text: string, max: number): string {
  return cutText(toStorableText(text), max);
}

function isErrorLike(
  value: unknown,
): value is { name?: unknown; message?: unknown; stack?: unknown } {
  if (value instanceof Error) return true;
  // Errors that crossed a process boundary or a realm: plain objects with a string message.
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

function nameOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = safeString(() => (value as { name?: unknown }).name);
  return name === '' ? undefined : name;
}

function safeString(read: () => unknown): string {
  try {
    const value = read();
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') {
    return safeString(() => String(value)) || typeof value;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return safeString(() => Object.prototype.toString.call(value)) || typeof value;
  }
}
