import { ValidationError } from '../errors.js';

/**
 * The field named by the ValidationError that `run` throws, for tests of "every bad input gets
 * an error naming the field". Fails when `run` returns, and rethrows any other error.
 */
export function validationFieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}
