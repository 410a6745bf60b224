import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { validationFieldOf } from './validation.js';

describe('validationFieldOf', () => {
  it('returns the field of the ValidationError thrown', () => {
    expect(
      validationFieldOf(() => {
        throw new ValidationError('options.priority', 'must be an integer');
      }),
    ).toBe('options.priority');
  });

  it('fails when nothing is thrown, and passes other errors through', () => {
    expect(() => validationFieldOf(() => 1)).toThrow(/expected a ValidationError/);
    expect(() =>
      validationFieldOf(() => {
        throw new RangeError('boom');
      }),
    ).toThrow(RangeError);
  });
});
