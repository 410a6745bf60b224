import { JobsError, StoreRejectedError, StoreUnavailableError } from '@jobs/core';

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
]);

/**
 * SQLSTATE classes of errors caused by what a statement carried or met, not by the server's
 * availability: the same statement fails the same way again. 22: data exception (a NUL or an
 * unpaired surrogate in jsonb, a number out of range), 23: integrity constraint, 54: program
 * limit exceeded (a value too large for an index row).
 */
const REJECTED_CLASSES = new Set(['22', '23', '54']);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Maps a driver error to core's errors at the edge, by what failed: an unreachable or busy
 * server to StoreUnavailableError (try again), a refused statement to StoreRejectedError (the
 * same write fails again); anything unknown passes through. Callers validate ids and fields
 * before a statement, so no database error is taken for a caller's field.
 */
export function mapStoreError(error: unknown): unknown {
  if (error instanceof JobsError) return error;
  // drizzle wraps the driver's error in a DrizzleQueryError whose cause is the original.
  const code = codeOf(error) ?? (error instanceof Error ? codeOf(error.cause) : undefined);
  if (code === undefined) return error;
  const root = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = root instanceof Error ? root.message : String(root);
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) {
    return new StoreUnavailableError(`database unavailable: ${message}`, { cause: error });
  }
  if (REJECTED_CLASSES.has(code.slice(0, 2))) {
    return new StoreRejectedError(`the database refused the statement: ${message}`, {
      cause: error,
      sqlState: code,
    });
  }
  return error;
}

/** Runs `fn`, rethrowing its failure mapped by `mapStoreError`. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapStoreError(error);
  }
}
