import { describe, expect, it } from 'vitest';
import { describeParams } from './json-schema.js';

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

describe('describeParams', () => {
  it('describes tuple params for a prompt', () => {
    expect(describeParams(tuple)).toBe('[email, integer, object]');
    expect(describeParams(null)).toBeNull();
  });
});
