import { describe, expect, it } from 'vitest';
import { checkSchema, describeParams, parseParams } from './params.js';

// What zod 4 gives for z.tuple([z.email(), z.string().min(1)]).
const mailerSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'array',
  prefixItems: [
    {
      type: 'string',
      format: 'email',
      pattern:
        "^(?!\\.)(?!.*\\.\\.)([A-Za-z0-9_'+\\-\\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$",
    },
    { type: 'string', minLength: 1 },
  ],
};

describe('parseParams', () => {
  it('takes a JSON array, and an empty text as no params', () => {
    expect(parseParams('["a", 1, {"b": null}]')).toEqual({
      ok: true,
      value: ['a', 1, { b: null }],
    });
    expect(parseParams('  ')).toEqual({ ok: true, value: [] });
  });

  it('says why anything else cannot be sent', () => {
    const broken = parseParams('["a",');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^not valid JSON/);
    const object = parseParams('{"to": "a@b.c"}');
    expect(!object.ok && object.error).toMatch(/must be a JSON array/);
  });
});

describe('checkSchema', () => {
  it('accepts params that fit', () => {
    expect(checkSchema(['a@b.co', 'Hi'], mailerSchema)).toBeNull();
  });

  it('names the first param at fault', () => {
    expect(checkSchema(['nope', 'Hi'], mailerSchema)).toBe('params.0: must be an email address');
    expect(checkSchema(['a@b.co', ''], mailerSchema)).toBe(
      'params.1: must be at least 1 characters long',
    );
    expect(checkSchema(['a@b.co', 3], mailerSchema)).toBe('params.1: must be a string');
    expect(checkSchema([], { type: 'array', prefixItems: [{ type: 'number' }], minItems: 1 })).toBe(
      'params: needs at least 1 item',
    );
    expect(
      checkSchema([1, 2], { type: 'array', prefixItems: [{ type: 'number' }], items: false }),
    ).toBe('params: takes at most 1 item');
  });

  it('reads numbers, enums, objects and unions', () => {
    expect(checkSchema([1.5], { prefixItems: [{ type: 'integer' }] })).toBe(
      'params.0: must be an integer',
    );
    expect(checkSchema([700], { prefixItems: [{ type: 'number', maximum: 600 }] })).toBe(
      'params.0: must be at most 600',
    );
    expect(checkSchema(['x'], { prefixItems: [{ enum: ['a', 'b'] }] })).toBe(
      'params.0: must be one of "a", "b"',
    );
    expect(
      checkSchema([{ id: 1 }], {
        prefixItems: [
          { type: 'object', required: ['id', 'name'], properties: { id: { type: 'number' } } },
        ],
      }),
    ).toBe('params.0.name: is required');
    expect(
      checkSchema([null], { prefixItems: [{ anyOf: [{ type: 'string' }, { type: 'null' }] }] }),
    ).toBeNull();
  });

  it('says nothing when there is no schema to read', () => {
    expect(checkSchema(['anything'], null)).toBeNull();
    expect(checkSchema(['x'], { prefixItems: [{ type: 'string', pattern: '(?<bad' }] })).toBeNull();
  });
});

describe('describeParams', () => {
  it('writes a tuple schema as a signature', () => {
    expect(describeParams(mailerSchema)).toBe('[string (email), string (not empty)]');
    expect(describeParams({ prefixItems: [{ type: 'number', minimum: 0, maximum: 600 }] })).toBe(
      '[number (0 to 600)]',
    );
    expect(
      describeParams({
        prefixItems: [{ type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 }],
      }),
    ).toBe('[integer]');
    expect(describeParams({ type: 'array', items: { type: 'string' } })).toBe('[...string]');
    expect(describeParams({ type: 'object' })).toBeNull();
  });
});
