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
  checkJsonValue(value, field, new Set(), 0);
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

function checkJsonValue(
  value: unknown,
  field: string,
  ancestors: Set<object>,
  depth: number,
): void {
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

function checkJsonContainer(
  value: object,
  field: string,
  ancestors: Set<object>,
  depth: number,
): void {
  if (depth >= MAX_DEPTH) throw new ValidationError(field, `nests deeper than ${MAX_DEPTH} levels`);
  if (ancestors.has(value)) throw new ValidationError(field, 'refers back to itself (a cycle)');
  let keys: readonly string[];
  if (Array.isArray(value)) {
    keys = Array.from({ length: value.length }, (_, index) => String(index));
  } else if (isPlainObject(value)) {
    keys = Object.keys(value);
  } else {
    throw new ValidationError(field, 'must be a plain object or an array, not a class instance');
  }
  ancestors.add(value);
  for (const key of keys) {
    if (!isStorableText(key)) throw new ValidationError(field, `has a key that ${UNSTORABLE}`);
    const at = `${field}.${key}`;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) throw new ValidationError(at, 'is missing (a hole in the array)');
    if (!('value' in descriptor)) throw new ValidationError(at, 'must be data, not a getter');
    checkJsonValue(descriptor.value, at, ancestors, depth + 1);
  }
  ancestors.delete(value);
}
