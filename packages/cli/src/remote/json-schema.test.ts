import { describe, expect, it } from 'vitest';
import { checkJsonSchema, describeParams } from './json-schema.js';

const tuple = {
  type: 'array',
  prefixItems: [
    { type: 'string', format: 'email', pattern: '^[^@]+@[^@]+$' },
    { type: 'integer', minimum: 1, maximum: 100 },
    { type: 'object', properties: { to: { type: 'string', minLength: 1 } }, required: ['to'] },
  ],
  items: false,
  minItems: 2,
  maxItems: 3,
};

describe('checkJsonSchema', () => {
  it('accepts params that fit', () => {
    expect(checkJsonSchema(['a@b.c', 5], tuple)).toBeNull();
    expect(checkJsonSchema(['a@b.c', 5, { to: 'x' }], tuple)).toBeNull();
  });

  it('names the first element at fault', () => {
    expect(checkJsonSchema(['nope', 5], tuple)).toBe('params.0: must be a valid email');
    expect(checkJsonSchema(['a@b.c', 1.5], tuple)).toBe('params.1: must be an integer');
    expect(checkJsonSchema(['a@b.c', 500], tuple)).toBe('params.1: must be at most 100');
    expect(checkJsonSchema(['a@b.c', 5, {}], tuple)).toBe('params.2.to: is required');
    expect(checkJsonSchema(['a@b.c', 5, { to: '' }], tuple)).toBe('params.2.to: must not be empty');
  });

  it('checks the number of params', () => {
    expect(checkJsonSchema(['a@b.c'], tuple)).toBe('params: needs at least 2 items, got 1');
    expect(checkJsonSchema(['a@b.c', 1, { to: 'x' }, 4], tuple)).toBe(
      'params: takes at most 3 items, got 4',
    );
  });

  it('lets anything it does not understand through', () => {
    expect(checkJsonSchema([1], { type: 'array', items: { not: {} } })).toBeNull();
    expect(checkJsonSchema('x', { anyOf: [{ type: 'number' }, { type: 'string' }] })).toBeNull();
    expect(checkJsonSchema(true, { anyOf: [{ type: 'number' }, { type: 'string' }] })).toBe(
      'params: must be a number',
    );
  });

  it('describes tuple params for a prompt', () => {
    expect(describeParams(tuple)).toBe('[email, integer, object]');
    expect(describeParams(null)).toBeNull();
  });
});
