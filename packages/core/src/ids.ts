import { ValidationError } from './errors.js';

/** A job id on the wire: a positive bigint in canonical decimal form. */
export const JOB_ID_PATTERN = /^[1-9]\d{0,18}$/;

/** The largest id PostgreSQL's `bigint` holds. */
const MAX_BIGINT = '9223372036854775807';

/** Returns `value` if it is a valid job id; otherwise throws a ValidationError for `field`. */
export function validateJobId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || !JOB_ID_PATTERN.test(value)) {
    throw new ValidationError(field, 'must be a positive integer written in decimal');
  }
  if (compareJobIds(value, MAX_BIGINT) > 0) {
    throw new ValidationError(field, `must be at most ${MAX_BIGINT}`);
  }
  return value;
}

/** Orders canonical decimal ids numerically (by length, then digit by digit), without rounding. */
export function compareJobIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
