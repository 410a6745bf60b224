import { JobsError, StoreUnavailableError, ValidationError } from '@jobs/core';

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
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Maps a driver error to core's errors at the edge; anything unknown passes through. */
export function mapStoreError(error: unknown): unknown {
  if (error instanceof JobsError) return error;
  // drizzle wraps the driver's error in a DrizzleQueryError whose cause is the original.
  const code = codeOf(error) ?? (error instanceof Error ? codeOf(error.cause) : undefined);
  if (code === undefined) return error;
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08')) {
    const root = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const message = root instanceof Error ? root.message : String(root);
    return new StoreUnavailableError(`database unavailable: ${message}`, { cause: error });
  }
  if (code === '22P02' || code === '22003') {
    return new ValidationError('id', 'must be a positive whole number within bigint range', {
      cause: error,
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
