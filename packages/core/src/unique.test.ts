import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { JOB_STATES } from './job.js';
import { normalizeEnqueue } from './options.js';
import { insertedJob } from './store.js';
import { newJob } from './testing/new-job.js';
import {
  DEFAULT_UNIQUE_RULE,
  holdsUniqueKey,
  normalizeUniqueRule,
  UNFINISHED_STATES,
  UNIQUE_FOR_DEFAULT_STATES,
} from './unique.js';

const fieldOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
};

describe('normalizeUniqueRule', () => {
  it('leaves the default rule (undefined) when neither option is given', () => {
    expect(normalizeUniqueRule('k', undefined, undefined)).toBeUndefined();
    expect(DEFAULT_UNIQUE_RULE).toEqual({ states: UNFINISHED_STATES, forMs: null });
  });

  it('takes a window in seconds, counting completed jobs too by default', () => {
    expect(normalizeUniqueRule('k', 90, undefined)).toEqual({
      states: UNIQUE_FOR_DEFAULT_STATES,
      forMs: 90_000,
    });
    expect(UNIQUE_FOR_DEFAULT_STATES).toEqual([
      'waiting',
      'scheduled',
      'queued',
      'running',
      'retrying',
      'completed',
    ]);
    expect(normalizeUniqueRule('k', 0.0001, undefined)?.forMs).toBe(1);
  });

  it('always counts the unfinished states, in JOB_STATES order, whatever is listed', () => {
    expect(normalizeUniqueRule('k', undefined, ['failed', 'completed', 'completed'])).toEqual({
      states: ['waiting', 'scheduled', 'queued', 'running', 'retrying', 'completed', 'failed'],
      forMs: null,
    });
    expect(normalizeUniqueRule('k', 5, ['cancelled'])?.states).toEqual([
      ...UNFINISHED_STATES,
      'cancelled',
    ]);
  });

  it('refuses bad values naming the field, and either option without a key', () => {
    expect(fieldOf(() => normalizeUniqueRule(null, 60, undefined))).toBe('uniqueFor');
    expect(fieldOf(() => normalizeUniqueRule(null, undefined, ['completed']))).toBe('uniqueStates');
    expect(fieldOf(() => normalizeUniqueRule('k', 0, undefined))).toBe('uniqueFor');
    expect(fieldOf(() => normalizeUniqueRule('k', Number.NaN, undefined))).toBe('uniqueFor');
    expect(fieldOf(() => normalizeUniqueRule('k', '60', undefined))).toBe('uniqueFor');
    expect(fieldOf(() => normalizeUniqueRule('k', 366 * 86400, undefined))).toBe('uniqueFor');
    expect(fieldOf(() => normalizeUniqueRule('k', undefined, 'completed'))).toBe('uniqueStates');
    expect(fieldOf(() => normalizeUniqueRule('k', undefined, ['completed', 'done']))).toBe(
      'uniqueStates.1',
    );
    expect(fieldOf(() => normalizeUniqueRule('k', undefined, ['__proto__']))).toBe(
      'uniqueStates.0',
    );
    expect(
      fieldOf(() =>
        normalizeUniqueRule('k', undefined, Array(JOB_STATES.length + 1).fill('queued')),
      ),
    ).toBe('uniqueStates');
  });

  it('is what normalizeEnqueue puts on the NewJob, and only when asked', () => {
    const spec = { handler: 'mailer', method: 'send', params: [] };
    expect(normalizeEnqueue({ ...spec, options: { uniqueKey: 'k' } })).not.toHaveProperty(
      'uniqueRule',
    );
    expect(
      normalizeEnqueue({
        ...spec,
        options: { uniqueKey: 'k', uniqueFor: 2, uniqueStates: ['failed'] },
      }).uniqueRule,
    ).toEqual({
      states: [...UNFINISHED_STATES, 'completed', 'failed'].filter((s) => s !== 'completed'),
      forMs: 2000,
    });
    expect(fieldOf(() => normalizeEnqueue({ ...spec, options: { uniqueFor: 2 } }))).toBe(
      'uniqueFor',
    );
  });
});

describe('holdsUniqueKey', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const job = (state: Parameters<typeof insertedJob>[1]['state'], ageMs: number) =>
    insertedJob(newJob({ uniqueKey: 'k' }), {
      id: '1',
      state,
      runAt: now,
      createdAt: new Date(now.getTime() - ageMs),
    });

  it('counts unfinished holders always, window or not', () => {
    for (const state of UNFINISHED_STATES) {
      expect(holdsUniqueKey(job(state, 10 ** 9), DEFAULT_UNIQUE_RULE, now)).toBe(true);
      expect(
        holdsUniqueKey(job(state, 10 ** 9), { states: UNFINISHED_STATES, forMs: 1 }, now),
      ).toBe(true);
    }
    expect(holdsUniqueKey(job('completed', 0), DEFAULT_UNIQUE_RULE, now)).toBe(false);
  });

  it('counts a finished holder in a counted state while it is younger than the window (edge excluded)', () => {
    const rule = { states: UNIQUE_FOR_DEFAULT_STATES, forMs: 60_000 };
    expect(holdsUniqueKey(job('completed', 59_999), rule, now)).toBe(true);
    expect(holdsUniqueKey(job('completed', 60_000), rule, now)).toBe(false);
    expect(holdsUniqueKey(job('failed', 1), rule, now)).toBe(false);
    expect(holdsUniqueKey(job('completed', 10 ** 9), { ...rule, forMs: null }, now)).toBe(true);
  });
});
