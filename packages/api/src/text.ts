import { findUnstorable, UNSTORABLE, ValidationError } from '@jobs/core';

export { isStorableText, UNSTORABLE } from '@jobs/core';

/**
 * Throws a ValidationError for `field` when a string (or an object key) anywhere in `value`
 * is not storable text (see `@jobs/core`'s text.ts). Walks without recursion, so any depth is
 * safe.
 */
export function rejectUnstorable(value: unknown, field: string): void {
  if (findUnstorable(value, field) !== null) throw new ValidationError(field, UNSTORABLE);
}
