import { z } from '@hono/zod-openapi';

// The messages core's checks give (`checkInteger`, `checkNumber` in @jobs/core), so that a
// value is refused in the same words whether the API's schema or core finds it first.

/** Says `must be between min and max` for a value out of range, `must be an integer` otherwise. */
function integerMessages(min: number, max: number) {
  const range = `must be between ${min} and ${max}`;
  const message = (issue: { readonly code?: string }) =>
    issue.code === 'too_big' || issue.code === 'too_small' ? range : 'must be an integer';
  return { range, message };
}

/** An integer in [min, max], refused as core refuses it (`must be between -1000000 and 1000000`). */
export function integerBetween(min: number, max: number) {
  const { range, message } = integerMessages(min, max);
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: range })
    .max(max, { error: range });
}

/** `integerBetween` for a query parameter: the text is read as a number first. */
export function queryIntegerBetween(min: number, max: number) {
  const { range, message } = integerMessages(min, max);
  return z.coerce
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: range })
    .max(max, { error: range });
}

/**
 * A finite number in [min, max] (or (min, max] with `exclusiveMin`), refused as core refuses
 * it: `must be a finite number`, `must be at least 0`, `must be greater than 0`, `must be at most 60`.
 */
export function numberBetween(min: number, max: number, { exclusiveMin = false } = {}) {
  const number = z.number({ error: 'must be a finite number' });
  const low = exclusiveMin
    ? number.gt(min, { error: `must be greater than ${min}` })
    : number.min(min, { error: `must be at least ${min}` });
  return low.max(max, { error: `must be at most ${max}` });
}
