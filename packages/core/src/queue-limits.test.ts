import { describe, expect, it } from 'vitest';
import {
  formatRateLimit,
  isLimited,
  NO_QUEUE_LIMITS,
  parseRateLimit,
  validateQueueLimitsPatch,
} from './queue-limits.js';

describe('queue limits', () => {
  it('reads a patch: kept keys, null to remove, each value checked', () => {
    expect(validateQueueLimitsPatch({ concurrency: 3 })).toEqual({ concurrency: 3 });
    expect(
      validateQueueLimitsPatch({
        concurrency: null,
        keyConcurrency: 2,
        rateLimit: { limit: 50, periodMs: 1000 },
      }),
    ).toEqual({ concurrency: null, keyConcurrency: 2, rateLimit: { limit: 50, periodMs: 1000 } });
    expect(validateQueueLimitsPatch({ rateLimit: null })).toEqual({ rateLimit: null });
  });

  it('names the field of a bad value, under a prefix', () => {
    expect(() => validateQueueLimitsPatch({ concurrency: 0 })).toThrow(
      /^concurrency: must be between 1/,
    );
    expect(() => validateQueueLimitsPatch({ concurrency: 1.5 })).toThrow(
      /^concurrency: must be an integer/,
    );
    expect(() => validateQueueLimitsPatch({ keyConcurrency: '2' })).toThrow(/^keyConcurrency/);
    expect(() => validateQueueLimitsPatch({ rateLimit: { limit: 5 } })).toThrow(
      /^rateLimit\.periodMs/,
    );
    expect(() => validateQueueLimitsPatch({ rateLimit: { limit: 5, periodMs: 1, x: 1 } })).toThrow(
      /^rateLimit\.x: is not a rate limit field/,
    );
    expect(() => validateQueueLimitsPatch({ concurency: 3 }, 'queues.mail.')).toThrow(
      /^queues\.mail\.concurency: is not a queue limit/,
    );
    expect(() => validateQueueLimitsPatch({ concurrency: 1e9 }, 'queues.mail.')).toThrow(
      /^queues\.mail\.concurrency: must be between 1 and 100000/,
    );
    expect(() => validateQueueLimitsPatch([1])).toThrow(/must be an object/);
    expect(() =>
      validateQueueLimitsPatch({ rateLimit: { limit: { a: { b: [] } }, periodMs: 1 } }),
    ).toThrow(/^rateLimit\.limit: must be an integer/);
  });

  it('parses and writes rates such as 50/1s', () => {
    expect(parseRateLimit('50/1s')).toEqual({ limit: 50, periodMs: 1000 });
    expect(parseRateLimit('50/s')).toEqual({ limit: 50, periodMs: 1000 });
    expect(parseRateLimit('10/500ms')).toEqual({ limit: 10, periodMs: 500 });
    expect(parseRateLimit('100/m')).toEqual({ limit: 100, periodMs: 60_000 });
    expect(parseRateLimit('5/2h')).toEqual({ limit: 5, periodMs: 7_200_000 });
    expect(() => parseRateLimit('fast')).toThrow(/^rate: must look like 50\/1s/);
    expect(() => parseRateLimit('0/1s')).toThrow(/^rate\.limit: must be between 1/);
    expect(() => parseRateLimit('5/0s')).toThrow(/^rate\.periodMs/);
    expect(() => parseRateLimit('5/\u0000s')).toThrow(/^rate: must look like/);
    expect(formatRateLimit({ limit: 50, periodMs: 1000 })).toBe('50/1s');
    expect(formatRateLimit({ limit: 10, periodMs: 1500 })).toBe('10/1500ms');
    expect(formatRateLimit({ limit: 1, periodMs: 120_000 })).toBe('1/2m');
    for (const text of ['50/1s', '10/1500ms', '3/5h']) {
      expect(formatRateLimit(parseRateLimit(text))).toBe(text);
    }
  });

  it('counts a queue as limited by concurrency or rate, not by the key limit alone', () => {
    expect(isLimited(NO_QUEUE_LIMITS)).toBe(false);
    expect(isLimited({ ...NO_QUEUE_LIMITS, keyConcurrency: 2 })).toBe(false);
    expect(isLimited({ ...NO_QUEUE_LIMITS, concurrency: 2 })).toBe(true);
    expect(isLimited({ ...NO_QUEUE_LIMITS, rateLimit: { limit: 1, periodMs: 1 } })).toBe(true);
  });
});
