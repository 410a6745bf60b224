import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './errors.js';
import { JOB_STATES, type JobState, type RetryPolicy } from './job.js';
import {
  failureOutcome,
  isFinal,
  type JobEvent,
  type JobEventType,
  TRANSITION_SOURCES,
  transition,
} from './states.js';

const backoff: RetryPolicy = { kind: 'fixed', delayMs: 5000 };

const EVENTS: Record<JobEventType, JobEvent> = {
  claim: { type: 'claim' },
  complete: { type: 'complete' },
  fail: { type: 'fail', backoff, random: 0 },
  cancel: { type: 'cancel' },
  'retry-now': { type: 'retry-now' },
  'lease-expired': { type: 'lease-expired', backoff, random: 0 },
  'release-on-shutdown': { type: 'release-on-shutdown' },
};

/** Where each event leads from each state, for a job on attempt 1 of 3; absent = illegal. */
const EXPECTED: Record<JobEventType, Partial<Record<JobState, JobState>>> = {
  claim: { scheduled: 'running', queued: 'running', retrying: 'running' },
  complete: { running: 'completed' },
  fail: { running: 'retrying' },
  cancel: {
    waiting: 'cancelled',
    scheduled: 'cancelled',
    queued: 'cancelled',
    retrying: 'cancelled',
    running: 'cancelled',
  },
  'retry-now': { failed: 'queued', cancelled: 'queued', retrying: 'queued', scheduled: 'queued' },
  'lease-expired': { running: 'retrying' },
  'release-on-shutdown': { running: 'queued' },
};

describe('transition table', () => {
  for (const [type, event] of Object.entries(EVENTS)) {
    for (const state of JOB_STATES) {
      const to = EXPECTED[type as JobEventType][state];
      const job = { state, attempt: 1, maxAttempts: 3 };
      if (to === undefined) {
        it(`refuses ${type} from ${state}`, () => {
          expect(() => transition(job, event)).toThrow(IllegalTransitionError);
        });
      } else {
        it(`moves ${state} to ${to} on ${type}`, () => {
          expect(transition(job, event)).toMatchObject({ from: state, to });
        });
      }
    }
  }

  it('lists the same sources as the table in TRANSITION_SOURCES', () => {
    for (const type of Object.keys(EVENTS) as JobEventType[]) {
      expect([...TRANSITION_SOURCES[type]].sort()).toEqual(Object.keys(EXPECTED[type]).sort());
    }
  });
});

describe('claim', () => {
  it('starts the next attempt', () => {
    expect(transition({ state: 'queued', attempt: 0, maxAttempts: 4 }, { type: 'claim' })).toEqual({
      from: 'queued',
      to: 'running',
      attempt: 1,
      maxAttempts: 4,
    });
  });

  it('refuses a job whose attempts are all used', () => {
    const error = (() => {
      try {
        transition({ state: 'retrying', attempt: 4, maxAttempts: 4 }, { type: 'claim' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ from: 'retrying', event: 'claim' });
  });
});

describe('fail', () => {
  it('retries after the policy delay while attempts remain', () => {
    const next = transition(
      { state: 'running', attempt: 2, maxAttempts: 4 },
      { type: 'fail', backoff: { kind: 'exponential', baseMs: 1000, maxMs: 60_000 }, random: 0 },
    );
    expect(next).toEqual({
      from: 'running',
      to: 'retrying',
      attempt: 2,
      maxAttempts: 4,
      runAfterMs: 2000,
    });
  });

  it('fails for good on the last attempt', () => {
    const next = transition(
      { state: 'running', attempt: 4, maxAttempts: 4 },
      { type: 'fail', backoff, random: 0 },
    );
    expect(next).toEqual({ from: 'running', to: 'failed', attempt: 4, maxAttempts: 4 });
  });

  it('fails for good on a permanent error even with attempts left', () => {
    const next = transition(
      { state: 'running', attempt: 1, maxAttempts: 4 },
      { type: 'fail', permanent: true, backoff, random: 0 },
    );
    expect(next.to).toBe('failed');
  });
});

describe('lease-expired', () => {
  it('counts the lost attempt like a failure', () => {
    const job = { state: 'running', attempt: 1, maxAttempts: 2 } as const;
    expect(transition(job, { type: 'lease-expired', backoff, random: 0 })).toMatchObject({
      to: 'retrying',
      attempt: 1,
      runAfterMs: 5000,
    });
    expect(
      transition({ ...job, attempt: 2 }, { type: 'lease-expired', backoff, random: 0 }).to,
    ).toBe('failed');
  });
});

describe('retry-now', () => {
  it('queues at once without changing the budget while attempts remain', () => {
    expect(
      transition({ state: 'cancelled', attempt: 1, maxAttempts: 3 }, { type: 'retry-now' }),
    ).toEqual({ from: 'cancelled', to: 'queued', attempt: 1, maxAttempts: 3, runAfterMs: 0 });
  });

  it('allows exactly one more attempt when all were used', () => {
    const next = transition({ state: 'failed', attempt: 3, maxAttempts: 3 }, { type: 'retry-now' });
    expect(next).toMatchObject({ to: 'queued', attempt: 3, maxAttempts: 4, runAfterMs: 0 });
    const claimed = transition({ state: next.to, ...next }, { type: 'claim' });
    expect(claimed.attempt).toBe(4);
    expect(() =>
      transition({ state: 'retrying', attempt: 4, maxAttempts: 4 }, { type: 'claim' }),
    ).toThrow(IllegalTransitionError);
  });
});

describe('release-on-shutdown', () => {
  it('gives the attempt back and queues at once', () => {
    expect(
      transition({ state: 'running', attempt: 2, maxAttempts: 3 }, { type: 'release-on-shutdown' }),
    ).toEqual({ from: 'running', to: 'queued', attempt: 1, maxAttempts: 3, runAfterMs: 0 });
  });
});

describe('cancel', () => {
  it('keeps the attempt count of a running job', () => {
    expect(
      transition({ state: 'running', attempt: 2, maxAttempts: 3 }, { type: 'cancel' }),
    ).toEqual({ from: 'running', to: 'cancelled', attempt: 2, maxAttempts: 3 });
  });
});

describe('isFinal', () => {
  it('is true only for completed, failed and cancelled', () => {
    expect(JOB_STATES.filter(isFinal)).toEqual(['completed', 'failed', 'cancelled']);
  });
});

describe('failureOutcome', () => {
  it('gives a retry delay while attempts remain', () => {
    expect(
      failureOutcome({ state: 'running', attempt: 1, maxAttempts: 2 }, { backoff, random: 0 }),
    ).toEqual({ state: 'retrying', delayMs: 5000 });
  });

  it('gives failed when the error is permanent or no attempts remain', () => {
    const running = { state: 'running', attempt: 1, maxAttempts: 2 } as const;
    expect(failureOutcome(running, { permanent: true, backoff, random: 0 })).toEqual({
      state: 'failed',
    });
    expect(failureOutcome({ ...running, attempt: 2 }, { backoff, random: 0 })).toEqual({
      state: 'failed',
    });
  });

  it('refuses a job that is not running', () => {
    expect(() =>
      failureOutcome({ state: 'queued', attempt: 0, maxAttempts: 2 }, { backoff, random: 0 }),
    ).toThrow(IllegalTransitionError);
  });
});
