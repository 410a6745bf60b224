import { type JsonValue, MAX_PARAMS_BYTES, toStorableJson, utf8ByteLength } from '@jobs/core';

/** A JSON escape of a NUL or a surrogate (possibly preceded by an escaped backslash: harmless). */
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;

/** Largest result stored, in UTF-8 bytes of JSON; larger results are stored as null. */
export const MAX_RESULT_BYTES = MAX_PARAMS_BYTES;

/**
 * What is stored as a job's result: the handler's return value as it survives JSON, or null when
 * it does not (undefined, a function, a cycle, a BigInt) or is larger than `MAX_RESULT_BYTES`.
 * Text PostgreSQL cannot hold (NUL, unpaired surrogates) is replaced with U+FFFD.
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
  const parsed = JSON.parse(text) as JsonValue;
  // JSON.stringify writes NUL and unpaired surrogates as \u escapes: clean only when one is there.
  return UNSTORABLE_ESCAPE.test(text) ? toStorableJson(parsed) : parsed;
}
