import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import type { JsonValue } from './job.js';
import { toJsonParams } from './json.js';
import { cutText, findUnstorable, isStorableText, toStorableJson, toStorableText } from './text.js';

const LONE_HIGH = '\uD83D';
const LONE_LOW = '\uDE00';

describe('storable text', () => {
  it('refuses NUL and unpaired surrogates, accepts pairs', () => {
    expect(isStorableText('a😀b')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText(`a${LONE_HIGH}`)).toBe(false);
    expect(isStorableText(`${LONE_LOW}a`)).toBe(false);
    expect(isStorableText(`${LONE_LOW}${LONE_HIGH}`)).toBe(false);
  });

  it('replaces what PostgreSQL cannot store and keeps the rest', () => {
    expect(toStorableText(`a\u0000b${LONE_HIGH}c😀${LONE_LOW}`)).toBe('a\uFFFDb\uFFFDc😀\uFFFD');
    const clean = 'plain';
    expect(toStorableText(clean)).toBe(clean);
  });

  it('always yields storable text of the same length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = toStorableText(text);
        expect(isStorableText(out)).toBe(true);
        expect(out.length).toBe(text.length);
      }),
    );
  });

  it('cuts on code points, never between the halves of a pair', () => {
    const text = `${'a'.repeat(1998)}${'😀'.repeat(10)}`;
    const cut = cutText(text, 2000);
    expect(cut.length).toBeLessThanOrEqual(2000);
    expect(isStorableText(cut)).toBe(true);
    expect(cut.endsWith('…')).toBe(true);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(50), (s, max) => {
        const out = cutText(s, max + 1);
        expect(out.length).toBeLessThanOrEqual(max + 1);
        expect(isStorableText(out)).toBe(true);
      }),
    );
  });

  it('cleans every string and key of a JSON value, at any depth', () => {
    let deep: JsonValue = 'x\u0000';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const value = { [`k${LONE_HIGH}`]: ['ok', `v${LONE_LOW}`], __proto__x: deep } as JsonValue;
    const out = toStorableJson(value);
    expect(findUnstorable(out, 'result')).toBeNull();
    expect(Object.keys(out as object)).toEqual(['k\uFFFD', '__proto__x']);
    expect(findUnstorable(value, 'result')).not.toBeNull();
    const same = { a: ['b'] };
    expect(toStorableJson(same)).toBe(same);
  });

  it('keeps a `__proto__` key a plain key', () => {
    const parsed = JSON.parse('{"__proto__": "\\u0000"}') as JsonValue;
    const out = toStorableJson(parsed) as Record<string, JsonValue>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('\uFFFD');
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse('{"__proto__": "\\uFFFD"}'));
  });

  it('params with unstorable text are refused, naming the element', () => {
    expect(() => toJsonParams(['ok', { user: 'a\u0000' }])).toThrow(
      new ValidationError(
        'params.1.user',
        'must not contain NUL characters or unpaired surrogates',
      ),
    );
    expect(() => toJsonParams([{ [`k${LONE_HIGH}`]: 1 }])).toThrow(/params\.0: has a key/);
    expect(() => toJsonParams([`${LONE_LOW}`])).toThrow(/params\.0/);
  });
});
