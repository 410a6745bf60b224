import { ValidationError } from './errors.js';
import type { JsonValue } from './job.js';
import { isStorableText, UNSTORABLE } from './text.js';
import { isPlainObject } from './validate.js';

/** Largest JSON size of a job's params, in UTF-8 bytes, unless the caller sets its own: 1 MiB. */
export const MAX_PARAMS_BYTES = 1024 * 1024;

/** How deep params may nest; deeper values are refused rather than overflowing the stack. */
const MAX_DEPTH = 100;

/**
 * Checks that `value` is an array of JSON values no larger than `maxBytes` once serialised, with
 * only storable text (see text.ts), naming the offending element (`params.2.user`), and returns
 * a deep copy the caller can no longer mutate.
 */
export function toJsonParams(
  value: unknown,
  field = 'params',
  maxBytes = MAX_PARAMS_BYTES,
): JsonValue[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  checkJsonValue(value, field, [], 0);
  const text = JSON.stringify(value);
  const bytes = utf8ByteLength(text);
  if (bytes > maxBytes) {
    throw new ValidationError(
      field,
      `is ${bytes} bytes as JSON, more than the limit of ${maxBytes}`,
    );
  }
  return JSON.parse(text) as JsonValue[];
}

/** Bytes `text` takes in UTF-8. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function checkJsonValue(value: unknown, field: string, ancestors: object[], depth: number): void {
  switch (typeof value) {
    case 'string':
      if (!isStorableText(value)) throw new ValidationError(field, UNSTORABLE);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(field, 'must be a finite number');
      return;
    case 'object':
      if (value !== null) checkJsonContainer(value, field, ancestors, depth);
      return;
    default:
      throw new ValidationError(field, `must be a JSON value, not ${typeof value}`);
  }
}

/**
 * `ancestors` holds the containers from the root down to `value`'s parent (at most MAX_DEPTH,
 * so a list is as quick to search as a set, and cheaper to make for every job of a batch).
 */
function checkJsonContainer(
  value: object,
  field: string,
  ancestors: object[],
  depth: number,
): void {
  if (depth >= MAX_DEPTH) throw new ValidationError(field, `nests deeper than ${MAX_DEPTH} levels`);
  if (ancestors.includes(value))
    throw new ValidationError(field, 'refers back to itself (a cycle)');
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) {
    throw new ValidationError(field, 'must be a plain object or an array, not a class instance');
  }
  // An array's keys are its indexes: no list of them to make.
  const keys: readonly string[] | null = isArray ? null : Object.keys(value);
  const count = keys === null ? (value as unknown[]).length : keys.length;
  if (count === 0) return;
  ancestors.push(value);
  for (let i = 0; i < count; i++) {
    const key = keys === null ? String(i) : (keys[i] as string);
    if (!isStorableText(key)) throw new ValidationError(field, `has a key that ${UNSTORABLE}`);
    const at = `${field}.${key}`;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) throw new ValidationError(at, 'is missing (a hole in the array)');
    if (!('value' in descriptor)) throw new ValidationError(at, 'must be data, not a getter');
    checkJsonValue(descriptor.value, at, ancestors, depth + 1);
  }
  ancestors.pop();
}
