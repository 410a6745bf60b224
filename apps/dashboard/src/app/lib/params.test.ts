import { describe, expect, it } from 'vitest';
import { describeParams, type MethodListing, parseParams } from './params.js';

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

const seed: MethodListing = {
  name: 'someMethod',
  hasSchema: false,
  paramsSchema: null,
  arity: { min: 2, max: 2, names: ['param1', 'param2'] },
};

describe('parseParams', () => {
  it('takes a JSON array, and an empty text as no params', () => {
    expect(parseParams('["a", 1, {"b": null}]')).toEqual({
      ok: true,
      value: ['a', 1, { b: null }],
    });
    expect(parseParams('  ')).toEqual({ ok: true, value: [] });
  });

  it('says why anything else cannot be sent, in the words the API uses', () => {
    const broken = parseParams('["a",');
    expect(!broken.ok && broken.error).toMatch(/^params: is not valid JSON/);
    expect(parseParams('{"to": "a@b.c"}')).toEqual({
      ok: false,
      error: 'params: must be an array',
    });
  });

  it('checks the count a method without a schema takes', () => {
    for (const [text, got] of [
      ['[]', 0],
      ['["x"]', 1],
      ['["x", 1, 2]', 3],
    ] as const) {
      expect(parseParams(text, seed)).toEqual({
        ok: false,
        error: `params: someMethod takes 2 arguments (param1, param2); got ${got}`,
      });
    }
    expect(parseParams('["x", 1]', seed)).toEqual({ ok: true, value: ['x', 1] });
  });

  it('leaves a method with a schema to the server', () => {
    const mailer: MethodListing = {
      name: 'send',
      hasSchema: true,
      paramsSchema: mailerSchema,
      arity: { min: 2, max: 2, names: ['to', 'subject'] },
    };
    expect(parseParams('["not an address"]', mailer)).toEqual({
      ok: true,
      value: ['not an address'],
    });
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
