import { PermanentError } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import {
  isPermanent,
  MAX_ERROR_STACK_LENGTH,
  NON_ERROR_NAME,
  summarizeThrown,
  toJobError,
} from './error-entry.js';
import { toJsonResult } from './result.js';

describe('error entries', () => {
  it('records name, message, stack, attempt, time and worker of an Error', () => {
    const at = new Date('2030-01-02T03:04:05.000Z');
    const entry = toJobError(new RangeError('out of range'), 2, at, 'w1');
    expect(entry).toMatchObject({
      attempt: 2,
      name: 'RangeError',
      message: 'out of range',
      at: '2030-01-02T03:04:05.000Z',
      workerId: 'w1',
    });
    expect(entry.stack).toContain('out of range');
  });

  it('describes values that are not Errors', () => {
    expect(summarizeThrown('text')).toEqual({
      name: NON_ERROR_NAME,
      message: 'the handler threw a non-Error value: "text"',
    });
    expect(summarizeThrown(null).message).toBe('the handler threw a non-Error value: null');
    expect(summarizeThrown(Symbol('s')).message).toBe(
      'the handler threw a non-Error value: Symbol(s)',
    );
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(summarizeThrown(cyclic).message).toBe(
      'the handler threw a non-Error value: [object Object]',
    );
  });

  it('survives errors whose properties throw, and bounds the stack', () => {
    const hostile = new Error('x');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('no');
      },
    });
    expect(summarizeThrown(hostile)).toMatchObject({
      name: 'Error',
      message: 'Error thrown without a message',
    });
    const deep = new Error('deep');
    deep.stack = 's'.repeat(50_000);
    expect(summarizeThrown(deep).stack).toHaveLength(MAX_ERROR_STACK_LENGTH);
  });

  it('treats PermanentError, and anything named like it, as permanent', () => {
    expect(isPermanent(new PermanentError('no'))).toBe(true);
    expect(isPermanent({ name: 'PermanentError', message: 'from a child' })).toBe(true);
    expect(isPermanent(new Error('retry me'))).toBe(false);
    expect(isPermanent('PermanentError')).toBe(false);
  });
});

describe('toJsonResult', () => {
  it('keeps what survives JSON and stores null for the rest', () => {
    expect(toJsonResult({ a: 1, d: new Date(0) })).toEqual({ a: 1, d: '1970-01-01T00:00:00.000Z' });
    expect(toJsonResult(undefined)).toBeNull();
    expect(toJsonResult(() => 1)).toBeNull();
    expect(toJsonResult(1n)).toBeNull();
    expect(toJsonResult('x'.repeat(2 * 1024 * 1024))).toBeNull();
  });

  it('stores scalars as JSON would', () => {
    for (const value of [null, true, false, 0, -0, 5, -1.5, Number.NaN, Infinity, -Infinity, 'x']) {
      expect(Object.is(toJsonResult(value), JSON.parse(JSON.stringify(value) ?? 'null'))).toBe(
        true,
      );
    }
  });
});
