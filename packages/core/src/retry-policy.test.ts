import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './errors.js';
import type { RetryPolicy } from './job.js';
import {
  DEFAULT_RETRY_POLICY,
  MAX_RETRIES_DEFAULT,
  MAX_RETRY_DELAY_MS,
  nextRetryAt,
  retryCapMs,
  retryDelayMs,
  validateRetryPolicy,
} from './retry-policy.js';
import { type JobEvent, type TransitionSubject, transition } from './states.js';
import { validationFieldOf } from './testing/validation.js';

const exponential: RetryPolicy = { kind: 'exponential', baseMs: 1000, factor: 2, maxMs: 60_000 };

describe('retryDelayMs', () => {
  it('doubles from the base after each failed attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, exponential, 0))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it('stops growing at maxMs', () => {
    expect(retryDelayMs(7, exponential, 0)).toBe(60_000);
    expect(retryDelayMs(50, exponential, 0)).toBe(60_000);
  });

  it('stays at the cap instead of overflowing for huge attempts', () => {
    for (const attempt of [1100, 1e9, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY]) {
      expect(retryDelayMs(attempt, exponential, 0)).toBe(60_000);
    }
  });

  it('never gives NaN, even with a zero base and a huge attempt', () => {
    const zero: RetryPolicy = { kind: 'exponential', baseMs: 0, maxMs: 1000 };
    expect(retryDelayMs(1e9, zero, 0.5)).toBe(0);
    expect(retryDelayMs(Number.NaN, exponential, Number.NaN)).toBe(1000);
  });

  it('defaults the factor to 2', () => {
    expect(retryDelayMs(3, { kind: 'exponential', baseMs: 100, maxMs: 10_000 }, 0)).toBe(400);
  });

  it('takes off at most the jitter share of the delay', () => {
    const jittery: RetryPolicy = { ...exponential, jitter: 0.5 };
    expect(retryDelayMs(1, jittery, 0)).toBe(1000);
    expect(retryDelayMs(1, jittery, 0.5)).toBe(750);
    expect(retryDelayMs(1, jittery, 0.999_999)).toBe(500);
  });

  it('waits the fixed delay less its jitter', () => {
    const fixed: RetryPolicy = { kind: 'fixed', delayMs: 3000, jitter: 0.1 };
    expect(retryDelayMs(1, fixed, 0)).toBe(3000);
    expect(retryDelayMs(9, fixed, 0.5)).toBe(2850);
  });

  it('never waits a negative time for a negative fixed delay', () => {
    expect(retryDelayMs(1, { kind: 'fixed', delayMs: -5 }, 0)).toBe(0);
  });
});

describe('nextRetryAt', () => {
  it('adds the delay to the given clock', () => {
    const now = new Date('2024-03-01T12:00:00.000Z');
    expect(nextRetryAt(now, 2, exponential, 0).toISOString()).toBe('2024-03-01T12:00:02.000Z');
  });
});

describe('defaults', () => {
  it('are exponential from one second, capped at an hour, with jitter; three retries', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({
      kind: 'exponential',
      baseMs: 1000,
      factor: 2,
      maxMs: 3_600_000,
    });
    expect(DEFAULT_RETRY_POLICY.jitter).toBeGreaterThan(0);
    expect(MAX_RETRIES_DEFAULT).toBe(3);
  });
});

describe('validateRetryPolicy', () => {
  const fieldOf = (value: unknown) =>
    validationFieldOf(() => validateRetryPolicy(value, 'backoff'));

  it('accepts valid policies and returns a clean copy', () => {
    expect(validateRetryPolicy({ kind: 'fixed', delayMs: 10 })).toEqual({
      kind: 'fixed',
      delayMs: 10,
    });
    expect(validateRetryPolicy(DEFAULT_RETRY_POLICY)).toEqual(DEFAULT_RETRY_POLICY);
  });

  it('names the field at fault', () => {
    expect(fieldOf('fast')).toBe('backoff');
    expect(fieldOf({ kind: 'linear' })).toBe('backoff.kind');
    expect(fieldOf({ kind: 'fixed', delayMs: -1 })).toBe('backoff.delayMs');
    expect(fieldOf({ kind: 'fixed', delayMs: 1.5 })).toBe('backoff.delayMs');
    expect(fieldOf({ kind: 'fixed', delayMs: 1, jitter: 2 })).toBe('backoff.jitter');
    expect(fieldOf({ kind: 'fixed', delayMs: 1, baseMs: 1 })).toBe('backoff.baseMs');
    expect(fieldOf({ kind: 'exponential', baseMs: 10, maxMs: 5 })).toBe('backoff.maxMs');
    expect(fieldOf({ kind: 'exponential', baseMs: 10, maxMs: Number.NaN })).toBe('backoff.maxMs');
    expect(fieldOf({ kind: 'exponential', baseMs: 1, maxMs: 5, factor: 0.5 })).toBe(
      'backoff.factor',
    );
    expect(fieldOf({ kind: 'exponential', baseMs: 1, maxMs: MAX_RETRY_DELAY_MS + 1 })).toBe(
      'backoff.maxMs',
    );
  });
});

const policyArb: fc.Arbitrary<RetryPolicy> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('fixed' as const),
      delayMs: fc.integer({ min: 0, max: MAX_RETRY_DELAY_MS }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    },
    { requiredKeys: ['kind', 'delayMs'] },
  ),
  fc
    .record(
      {
        kind: fc.constant('exponential' as const),
        baseMs: fc.integer({ min: 0, max: MAX_RETRY_DELAY_MS }),
        maxMs: fc.integer({ min: 0, max: MAX_RETRY_DELAY_MS }),
        factor: fc.double({ min: 1, max: 100, noNaN: true }),
        jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      },
      { requiredKeys: ['kind', 'baseMs', 'maxMs'] },
    )
    .map((policy) => ({ ...policy, maxMs: Math.max(policy.maxMs, policy.baseMs) })),
);
const attemptArb = fc.oneof(
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
);
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const nowArb = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2200-01-01T00:00:00Z'),
  noInvalidDate: true,
});

describe('retry policy properties', () => {
  it('never schedules a retry before now nor after now + cap', () => {
    fc.assert(
      fc.property(nowArb, attemptArb, policyArb, randomArb, (now, attempt, policy, random) => {
        const next = nextRetryAt(now, attempt, policy, random).getTime();
        expect(next).toBeGreaterThanOrEqual(now.getTime());
        expect(next).toBeLessThanOrEqual(now.getTime() + retryCapMs(policy));
        expect(Number.isInteger(next - now.getTime())).toBe(true);
      }),
    );
  });

  it('never lets attempts exceed retries + 1, whatever claims and failures happen', () => {
    const eventArb: fc.Arbitrary<JobEvent> = fc.oneof(
      fc.constant({ type: 'claim' } as const),
      fc.record({
        type: fc.constant('fail' as const),
        permanent: fc.boolean(),
        backoff: policyArb,
        random: randomArb,
      }),
      fc.record({
        type: fc.constant('lease-expired' as const),
        backoff: policyArb,
        random: randomArb,
      }),
      fc.constant({ type: 'release-on-shutdown' } as const),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.array(eventArb, { maxLength: 60 }),
        (retries, events) => {
          let job: TransitionSubject = { state: 'queued', attempt: 0, maxAttempts: retries + 1 };
          for (const event of events) {
            try {
              const next = transition(job, event);
              job = { state: next.to, attempt: next.attempt, maxAttempts: next.maxAttempts };
            } catch (error) {
              if (!(error instanceof IllegalTransitionError)) throw error;
            }
            expect(job.attempt).toBeLessThanOrEqual(retries + 1);
            expect(job.attempt).toBeGreaterThanOrEqual(0);
          }
        },
      ),
    );
  });
});
