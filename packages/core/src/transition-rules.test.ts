import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './errors.js';
import { transition } from './states.js';
import { transitionRule } from './transition-rules.js';

describe('illegal transitions in a user’s words', () => {
  it('says "retry", not the event name, and which jobs can be retried', () => {
    expect(() =>
      transition({ state: 'completed', attempt: 1, maxAttempts: 3 }, { type: 'retry-now' }),
    ).toThrow(
      'cannot retry a job that is completed: only failed, cancelled, retrying or scheduled jobs can be retried',
    );
  });

  it('keeps the machine name in the error’s event field', () => {
    const error = new IllegalTransitionError('completed', 'retry-now');
    expect(error.event).toBe('retry-now');
    expect(error.code).toBe('illegal_transition');
  });

  it('puts a given reason in place of the rule', () => {
    expect(new IllegalTransitionError('running', 'delete', 'cancel it first').message).toBe(
      'cannot delete a job that is running: cancel it first',
    );
    expect(
      new IllegalTransitionError('queued', 'retry-now', 'it changed state meanwhile').message,
    ).toBe('cannot retry a job that is queued: it changed state meanwhile');
  });

  it('names a single source state alone and has no rule for actions outside the machine', () => {
    expect(transitionRule('complete')).toBe('only running jobs can be completed');
    expect(transitionRule('release-on-shutdown')).toBe('only running jobs can be released');
    expect(transitionRule('delete')).toBeUndefined();
  });
});
