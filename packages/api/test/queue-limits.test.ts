import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

describe('PATCH /api/queues/{name}: limits across every worker', () => {
  let api: TestApi;
  let guarded: TestApi;

  beforeAll(async () => {
    api = await createTestApi('queue_limits');
    guarded = await createTestApi('queue_limits_auth', {
      token: 'a-token-of-at-least-32-characters!!',
    });
  });
  afterAll(async () => {
    await api.close();
    await guarded.close();
  });

  const patch = (name: string, json: unknown) => api.call('PATCH', `/api/queues/${name}`, { json });
  const listed = async (name: string) => {
    const res = await api.call('GET', '/api/queues');
    expect(res.status).toBe(200);
    return (await res.json()).queues.find((q: { name: string }) => q.name === name);
  };

  it('sets limits on a queue before its first job, keeps what is left out, removes with null', async () => {
    const res = await patch('mail', { concurrency: 3, rateLimit: { limit: 50, periodMs: 1000 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      queue: {
        name: 'mail',
        paused: false,
        limits: { concurrency: 3, keyConcurrency: null, rateLimit: { limit: 50, periodMs: 1000 } },
        usage: { running: 0, recentStarts: 0 },
      },
    });
    expect((await (await patch('mail', { keyConcurrency: 2 })).json()).queue.limits).toEqual({
      concurrency: 3,
      keyConcurrency: 2,
      rateLimit: { limit: 50, periodMs: 1000 },
    });
    expect(await listed('mail')).toMatchObject({
      limits: { concurrency: 3, keyConcurrency: 2, rateLimit: { limit: 50, periodMs: 1000 } },
      usage: { running: 0, recentStarts: 0 },
    });
    const cleared = await (await patch('mail', { rateLimit: null, keyConcurrency: null })).json();
    expect(cleared.queue.limits).toEqual({ concurrency: 3, keyConcurrency: null, rateLimit: null });
  });

  it('shows the use of a limit: running jobs and starts in the rate window', async () => {
    await patch('busy', { concurrency: 2, rateLimit: { limit: 10, periodMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      await api.call('POST', '/api/jobs', {
        json: { handler: 'reports', method: 'build', params: [i], queue: 'busy' },
      });
    }
    const claimed = await api.store.jobClaim({
      workerId: 'w',
      queues: ['busy'],
      limit: 10,
      leaseMs: 60_000,
    });
    expect(claimed).toHaveLength(2);
    expect(await listed('busy')).toMatchObject({
      byState: { running: 2, queued: 1 },
      limits: { concurrency: 2 },
      usage: { running: 2, recentStarts: 2 },
    });
  });

  it('answers bad input with 400 naming the field, never 5xx', async () => {
    const cases: [unknown, string][] = [
      [{ concurrency: 0 }, 'concurrency'],
      [{ concurrency: 1.5 }, 'concurrency'],
      [{ concurrency: '3' }, 'concurrency'],
      [{ concurrency: 10 ** 12 }, 'concurrency'],
      [{ keyConcurrency: -1 }, 'keyConcurrency'],
      [{ rateLimit: { limit: 5 } }, 'rateLimit.periodMs'],
      [{ rateLimit: { limit: 5, periodMs: 1000, burst: 1 } }, 'rateLimit.burst'],
      [{ rateLimit: '50/1s' }, 'rateLimit'],
      [{ concurency: 3 }, 'concurency'],
      [{ concurrency: { a: { b: { c: [[[1]]] } } } }, 'concurrency'],
      [{ concurrency: 'x'.repeat(100_000) }, 'concurrency'],
    ];
    for (const [json, field] of cases) {
      const res = await patch('mail', json);
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBe(400);
      expect((await res.json()).error.field, JSON.stringify(json).slice(0, 80)).toBe(field);
    }
    for (const name of ['a%00b', '%ED%A0%80', 'x'.repeat(65), 'a%20b']) {
      const res = await api.call('PATCH', `/api/queues/${name}`, { json: { concurrency: 1 } });
      expect(res.status, name).toBe(400);
      expect((await res.json()).error.field).toBe('name');
    }
    const text = await api.call('PATCH', '/api/queues/mail', {
      body: 'concurrency=3',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const broken = await api.call('PATCH', '/api/queues/mail', {
      body: `{"concurrency":${'['.repeat(5000)}`,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(broken.status).toBe(400);
  });

  it('answers 405 with Allow on the queue path for other methods', async () => {
    const res = await api.call('GET', '/api/queues/mail');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('PATCH');
  });

  it('requires the bearer token', async () => {
    const res = await guarded.call('PATCH', '/api/queues/mail', { json: { concurrency: 1 } });
    expect(res.status).toBe(401);
    const ok = await guarded.call('PATCH', '/api/queues/mail', {
      json: { concurrency: 1 },
      headers: { Authorization: 'Bearer a-token-of-at-least-32-characters!!' },
    });
    expect(ok.status).toBe(200);
  });

  it('stores a concurrency key given at enqueue, and refuses unstorable ones naming the field', async () => {
    const res = await api.call('POST', '/api/jobs', {
      json: { handler: 'reports', method: 'build', params: [1], concurrencyKey: 'customer-7' },
    });
    expect(res.status).toBe(201);
    expect((await res.json()).concurrencyKey).toBe('customer-7');
    for (const concurrencyKey of ['a\u0000b', 'a\ud800b', '', 'k'.repeat(256), { deep: [[1]] }]) {
      const bad = await api.call('POST', '/api/jobs', {
        json: { handler: 'reports', method: 'build', params: [1], concurrencyKey },
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.field).toBe('concurrencyKey');
    }
  });

  it('never answers 5xx to a fuzzed body', async () => {
    const value = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constant(null),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const body = fc.dictionary(
      fc.constantFrom(
        'concurrency',
        'keyConcurrency',
        'rateLimit',
        'limit',
        'periodMs',
        '__proto__',
      ),
      fc.oneof(value, fc.dictionary(fc.constantFrom('limit', 'periodMs', 'x'), value)),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(body, async (json) => {
        const res = await patch('fuzzed', json);
        expect(res.status).toBeLessThan(500);
        if (res.status !== 200) expect((await res.json()).error.field).toBeTypeOf('string');
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
