import { ValidationError } from '@jobs/core';

/** A UTF-16 surrogate without its pair: JSON can carry it, PostgreSQL's jsonb cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why text was refused. */
export const UNSTORABLE = 'must not contain NUL characters or unpaired surrogates';

/** True for text PostgreSQL stores as given: no NUL character, no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/**
 * Throws a ValidationError for `field` when a string (or an object key) anywhere in `value`
 * is not storable text. Walks without recursion, so any depth is safe.
 */
export function rejectUnstorable(value: unknown, field: string): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (!isStorableText(item)) {
        throw new ValidationError(field, UNSTORABLE);
      }
    } else if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, element] of Object.entries(item)) stack.push(key, element);
    }
  }
}
