import { describe, expect, it } from 'vitest';
import {
  CLIENT_DEFAULTS,
  type EnqueueOptions,
  normalizeEnqueue,
  resolveClientDefaults,
} from './options.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { validationFieldOf } from './testing/validation.js';

const spec = (options?: EnqueueOptions, params: unknown = ['a@b.c']) => ({
  handler: 'App\\Services\\Mailer',
  method: 'send',
  params,
  options,
});

/** Options typed loosely, as they arrive from JSON. */
const loose = (options: Record<string, unknown>) => options as EnqueueOptions;

describe('normalizeEnqueue', () => {
  it('fills in the defaults', () => {
    expect(normalizeEnqueue(spec())).toEqual({
      queue: 'default',
      handler: 'App\\Services\\Mailer',
      method: 'send',
      params: ['a@b.c'],
      priority: 0,
      maxAttempts: 4,
      timeoutMs: null,
      uniqueKey: null,
      tags: [],
      backoff: DEFAULT_RETRY_POLICY,
      runAt: { delayMs: 0 },
      concurrencyKey: null,
    });
  });

  it('keeps a concurrency key and refuses a bad one naming the field', () => {
    const withKey = (concurrencyKey: unknown) =>
      normalizeEnqueue({ ...spec(), options: { concurrencyKey } as never });
    expect(withKey('customer-7').concurrencyKey).toBe('customer-7');
    expect(() => withKey('')).toThrow(/concurrencyKey/);
    expect(() => withKey('a\u0000b')).toThrow(/concurrencyKey: must not contain NUL/);
    expect(() => withKey('a\uD800b')).toThrow(/concurrencyKey: must not contain NUL/);
    expect(() => withKey('k'.repeat(256))).toThrow(/concurrencyKey: must be 1 to 255/);
    expect(() => withKey({ deep: { er: [1] } })).toThrow(/concurrencyKey: must be a string/);
  });

  it('uses the client defaults it is given', () => {
    const defaults = resolveClientDefaults({ queue: 'mail', priority: 3, retries: 0 });
    expect(normalizeEnqueue(spec(), defaults)).toMatchObject({
      queue: 'mail',
      priority: 3,
      maxAttempts: 1,
    });
  });

  it('maps every option', () => {
    const backoff = { kind: 'fixed', delayMs: 500 } as const;
    expect(
      normalizeEnqueue(
        spec({
          priority: -7,
          delay: 1.5,
          retries: 10,
          queue: 'emails.high:v2',
          timeout: 0.25,
          uniqueKey: 'welcome:42',
          tags: ['welcome', 'user:42'],
          backoff,
        }),
      ),
    ).toMatchObject({
      priority: -7,
      runAt: { delayMs: 1500 },
      maxAttempts: 11,
      queue: 'emails.high:v2',
      timeoutMs: 250,
      uniqueKey: 'welcome:42',
      tags: ['welcome', 'user:42'],
      backoff,
    });
  });

  it('takes an absolute runAt', () => {
    const runAt = new Date('2030-01-01T00:00:00Z');
    expect(normalizeEnqueue(spec({ runAt })).runAt).toEqual({ at: runAt });
  });

  it('treats null options as not given, as JSON callers send them', () => {
    expect(normalizeEnqueue(spec(loose({ priority: null, runAt: null }))).priority).toBe(0);
  });

  it('copies params so later changes by the caller do not leak in', () => {
    const params = [{ to: 'a@b.c' }];
    const job = normalizeEnqueue(spec({}, params));
    params[0]!.to = 'changed';
    expect(job.params).toEqual([{ to: 'a@b.c' }]);
  });

  it.each([
    ['priority', { priority: 1.5 }],
    ['priority', { priority: 1_000_001 }],
    ['priority', { priority: -1_000_001 }],
    ['priority', { priority: '1' }],
    ['delay', { delay: -1 }],
    ['delay', { delay: Number.POSITIVE_INFINITY }],
    ['delay', { delay: 10 * 366 * 24 * 3600 }],
    ['delay', { delay: '5' }],
    ['runAt', { delay: 1, runAt: new Date() }],
    ['runAt', { runAt: new Date(Number.NaN) }],
    ['runAt', { runAt: '2030-01-01' }],
    ['retries', { retries: -1 }],
    ['retries', { retries: 1001 }],
    ['retries', { retries: 2.5 }],
    ['queue', { queue: '' }],
    ['queue', { queue: 'has space' }],
    ['queue', { queue: 'q'.repeat(65) }],
    ['timeout', { timeout: 0 }],
    ['timeout', { timeout: 7 * 24 * 3600 + 1 }],
    ['timeout', { timeout: Number.NaN }],
    ['uniqueKey', { uniqueKey: '' }],
    ['uniqueKey', { uniqueKey: 'k'.repeat(256) }],
    ['tags', { tags: 'a' }],
    ['tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
    ['tags.1', { tags: ['ok', ''] }],
    ['tags.0', { tags: ['t'.repeat(65)] }],
    ['backoff.maxMs', { backoff: { kind: 'exponential', baseMs: 10, maxMs: -1 } }],
    ['colour', { colour: 'red' }],
  ])('names %s when it is out of bounds (%o)', (field, options) => {
    expect(validationFieldOf(() => normalizeEnqueue(spec(loose(options))))).toBe(field);
  });

  it('refuses invalid handler and method names', () => {
    expect(validationFieldOf(() => normalizeEnqueue({ ...spec(), handler: '1bad' }))).toBe(
      'handler',
    );
    expect(validationFieldOf(() => normalizeEnqueue({ ...spec(), method: 'constructor' }))).toBe(
      'method',
    );
  });
});

describe('params', () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const sparse: unknown[] = [1];
  sparse[2] = 3;
  const withGetter = {
    get secret() {
      throw new Error('getter invoked');
    },
  };

  it.each([
    ['params', 'not an array'],
    ['params', { 0: 'a' }],
    ['params.2', [1, 2, () => 3]],
    ['params.0', [undefined]],
    ['params.0', [Symbol('s')]],
    ['params.0', [10n]],
    ['params.1', [1, Number.NaN]],
    ['params.0', [Number.POSITIVE_INFINITY]],
    ['params.0', [new Date()]],
    ['params.0', [new Map()]],
    ['params.0.user.at', [{ user: { at: new Date() } }]],
    ['params.0.self', [cyclic]],
    ['params.1', sparse],
    ['params.0.secret', [withGetter]],
  ])('names %s for bad params', (field, params) => {
    expect(validationFieldOf(() => normalizeEnqueue(spec({}, params)))).toBe(field);
  });

  it('accepts nested JSON, null-prototype objects and shared (non-cyclic) references', () => {
    const shared = { a: 1 };
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: [true, null] });
    expect(normalizeEnqueue(spec({}, [shared, shared, bare, 'é', -0])).params).toEqual([
      { a: 1 },
      { a: 1 },
      { b: [true, null] },
      'é',
      0,
    ]);
  });

  it('refuses params larger than the size limit, counting UTF-8 bytes', () => {
    const limits = { maxParamsBytes: 10 };
    expect(normalizeEnqueue(spec({}, ['abcdef']), CLIENT_DEFAULTS, limits).params).toEqual([
      'abcdef',
    ]);
    expect(
      validationFieldOf(() => normalizeEnqueue(spec({}, ['éééé']), CLIENT_DEFAULTS, limits)),
    ).toBe('params');
  });

  it('refuses params nested absurdly deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(validationFieldOf(() => normalizeEnqueue(spec({}, [deep])))).toMatch(/^params(\.0)+$/);
  });
});

describe('resolveClientDefaults', () => {
  it('names the default at fault', () => {
    expect(validationFieldOf(() => resolveClientDefaults({ queue: 'bad queue' }))).toBe(
      'defaults.queue',
    );
    expect(validationFieldOf(() => resolveClientDefaults({ retries: -1 }))).toBe(
      'defaults.retries',
    );
  });
});
