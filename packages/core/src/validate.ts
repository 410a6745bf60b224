import { ValidationError } from './errors.js';

/** True for `{}`-style objects: created by a literal, `Object.create(null)` or JSON.parse. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Returns `value` if it is an integer in [min, max]; otherwise throws a ValidationError. */
export function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ValidationError(field, 'must be an integer');
  }
  if (value < min || value > max) {
    throw new ValidationError(field, `must be between ${min} and ${max}`);
  }
  return value;
}

/** Returns `value` if it is a finite number in [min, max] (or (min, max] when `exclusiveMin`). */
export function checkNumber(
  value: unknown,
  field: string,
  { min, max, exclusiveMin = false }: { min: number; max: number; exclusiveMin?: boolean },
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, 'must be a finite number');
  }
  if (exclusiveMin ? value <= min : value < min) {
    throw new ValidationError(
      field,
      `must be ${exclusiveMin ? 'greater than' : 'at least'} ${min}`,
    );
  }
  if (value > max) throw new ValidationError(field, `must be at most ${max}`);
  return value;
}

/** Returns `value` if it is a string of `minLength..maxLength` characters matching `pattern`. */
export function checkString(
  value: unknown,
  field: string,
  { minLength, maxLength, pattern }: { minLength: number; maxLength: number; pattern?: RegExp },
): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.length < minLength || value.length > maxLength) {
    throw new ValidationError(field, `must be ${minLength} to ${maxLength} characters long`);
  }
  if (pattern !== undefined && !pattern.test(value)) {
    throw new ValidationError(field, `must match ${String(pattern)}`);
  }
  return value;
}

/** The same error with `prefix.` put in front of its field, e.g. `priority` to `jobs.3.priority`. */
export function prefixField(error: ValidationError, prefix: string): ValidationError {
  const head = `${error.field}: `;
  const message = error.message.startsWith(head) ? error.message.slice(head.length) : error.message;
  return new ValidationError(`${prefix}.${error.field}`, message, { cause: error });
}
