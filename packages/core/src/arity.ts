import { ValidationError } from './errors.js';
import type { Arity } from './parameters.js';

/** How many arguments `arity` allows, in words: `2 arguments (to, subject)`, `no arguments`. */
export function describeArity(arity: Arity): string {
  const { min, max, names } = arity;
  const plural = (n: number) => (n === 1 ? 'argument' : 'arguments');
  const count =
    max === null
      ? `at least ${min} ${plural(min)}`
      : min === max
        ? max === 0
          ? 'no arguments'
          : `${max} ${plural(max)}`
        : `${min} to ${max} arguments`;
  return names === null || names.length === 0 ? count : `${count} (${names.join(', ')})`;
}

/** True when `count` arguments fit `arity`. */
export function fitsArity(arity: Arity, count: number): boolean {
  return count >= arity.min && (arity.max === null || count <= arity.max);
}

/**
 * Throws a ValidationError naming `params` when `method` cannot take `params.length` arguments:
 * `params: someMethod takes 2 arguments (param1, param2); got 1`. The one wording of this rule,
 * used by the client, the worker and (through the API's answers) the CLI and the dashboard.
 */
export function checkArity(
  target: { readonly method: string; readonly arity: Arity },
  params: readonly unknown[],
  field = 'params',
): void {
  if (fitsArity(target.arity, params.length)) return;
  throw new ValidationError(
    field,
    `${target.method} takes ${describeArity(target.arity)}; got ${params.length}`,
  );
}
