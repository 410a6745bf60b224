import { type JsonValue, MAX_PARAMS_BYTES, utf8ByteLength } from '@jobs/core';

/** Largest result stored, in UTF-8 bytes of JSON; larger results are stored as null. */
export const MAX_RESULT_BYTES = MAX_PARAMS_BYTES;

/**
 * What is stored as a job's result: the handler's return value as it survives JSON, or null when
 * it does not (undefined, a function, a cycle, a BigInt) or is larger than `MAX_RESULT_BYTES`.
 */
export function toJsonResult(value: unknown): JsonValue | null {
  // Most handlers return nothing, or a plain scalar: no need to round-trip through JSON.
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number')
    return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return null;
  }
  if (text === undefined || utf8ByteLength(text) > MAX_RESULT_BYTES) return null;
  return JSON.parse(text) as JsonValue;
}
