import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { validatePruneParams } from './prune.js';
import {
  DEFAULT_RETENTION,
  effectiveRetention,
  formatRetention,
  MAX_RETENTION_MS,
  parseDuration,
  parseRetentionConfig,
} from './retention.js';

describe('durations', () => {
  it.each([
    [0, 0],
    [1500, 1500],
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text, 'x')).toBe(ms);
  });

  it.each([
    '',
    'soon',
    '-5m',
    '5 m',
    '1y',
    'NaN',
    '\u0000',
    '\ud800',
    '1e309s',
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    MAX_RETENTION_MS + 1,
    true,
    {},
  ])('refuses %s naming the field', (value) => {
    expect(() => parseDuration(value, 'retention.completed')).toThrow(
      expect.objectContaining({ field: 'retention.completed' }),
    );
  });

  it('prints what it reads back (largest whole unit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_RETENTION_MS }), (ms) => {
        const text = formatRetention(ms);
        expect(parseDuration(text === '0' ? 0 : text, 'x')).toBe(ms);
      }),
    );
    expect(formatRetention(null)).toBe('forever');
    expect(formatRetention(14 * 86_400_000)).toBe('14d');
  });
});

describe('the retention section of a config', () => {
  it('fills the defaults in under what it sets, and keeps per-queue overrides sparse', () => {
    const settings = parseRetentionConfig({
      completed: '1h',
      queues: { audit: { completed: null }, mail: { failed: 0 } },
    });
    expect(settings).toEqual({
      defaults: { ...DEFAULT_RETENTION, completed: 3_600_000 },
      queues: [
        { name: 'audit', overrides: { completed: null } },
        { name: 'mail', overrides: { failed: 0 } },
      ],
    });
    expect(effectiveRetention(settings, 'audit')).toEqual({
      completed: null,
      failed: DEFAULT_RETENTION.failed,
      cancelled: DEFAULT_RETENTION.cancelled,
    });
    expect(effectiveRetention(settings, 'other')).toEqual(settings.defaults);
  });

  it.each([
    [null, 'retention'],
    [[], 'retention'],
    [{ running: '1d' }, 'retention.running'],
    [{ completed: 'x' }, 'retention.completed'],
    [{ queues: [] }, 'retention.queues'],
    [{ queues: { 'bad name': {} } }, 'retention.queues.bad name'],
    [{ queues: { [`q${'x'.repeat(80)}`]: {} } }, `retention.queues.q${'x'.repeat(80)}`],
    [{ queues: { a: { queued: '1d' } } }, 'retention.queues.a.queued'],
    [{ queues: { a: { failed: -1 } } }, 'retention.queues.a.failed'],
    [{ queues: { a: 5 } }, 'retention.queues.a'],
  ])('refuses %j naming %s', (value, field) => {
    try {
      parseRetentionConfig(value);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it('never throws anything but a ValidationError, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          parseRetentionConfig({ queues: { a: value }, completed: value });
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });
});

describe('prune params', () => {
  it('refuses running and waiting states, saying only finished jobs are pruned', () => {
    for (const state of ['running', 'queued', 'scheduled', 'retrying']) {
      expect(() => validatePruneParams({ states: [state] })).toThrow(
        /state: only finished jobs are pruned/,
      );
    }
    expect(() => validatePruneParams({ states: ['nope'] })).toThrow(/state: must be one of/);
    expect(() => validatePruneParams({ queues: ['\u0000'] })).toThrow(/queue:/);
    expect(() => validatePruneParams({ batchSize: 0 })).toThrow(/batchSize/);
    expect(validatePruneParams({ states: ['failed'], olderThanMs: '1h' })).toEqual({
      states: ['failed'],
      olderThanMs: 3_600_000,
    });
  });
});

describe("the client's prune and retention", () => {
  it('checks the params first, then refuses a store without retention, naming store', async () => {
    const { createClient } = await import('./client.js');
    const { defineHandlers } = await import('./handlers.js');
    const store = {} as Parameters<typeof createClient>[0];
    const client = createClient(store, defineHandlers({}));
    await expect(client.prune({ states: ['running' as never] })).rejects.toThrow(/^state: /);
    await expect(client.prune({})).rejects.toMatchObject({ field: 'store' });
    await expect(client.retention()).rejects.toMatchObject({ field: 'store' });
  });

  it('hands a checked prune to the store, waiting for a pass under way', async () => {
    const { createClient } = await import('./client.js');
    const { defineHandlers } = await import('./handlers.js');
    const seen: unknown[] = [];
    const store = {
      jobPrune: async (params: unknown) => {
        seen.push(params);
        return { deleted: 3, byQueue: [], dryRun: false, busy: false, batches: 1, more: false };
      },
      retentionGet: async () => ({ defaults: DEFAULT_RETENTION, queues: [] }),
    } as unknown as Parameters<typeof createClient>[0];
    const client = createClient(store, defineHandlers({}));
    expect((await client.prune({ states: ['failed'], olderThanMs: 60_000 })).deleted).toBe(3);
    expect(seen).toEqual([{ waitMs: 30_000, states: ['failed'], olderThanMs: 60_000 }]);
    expect(await client.retention()).toEqual({ defaults: DEFAULT_RETENTION, queues: [] });
  });
});
