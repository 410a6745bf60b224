import { createPgStore } from '@jobs/storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { type AnyBody, createTestApi, registry, runJobs, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('stats', { metrics: { lagMs: 0 } });
});
beforeEach(async () => {
  await api.schema.truncate();
});
afterAll(async () => {
  await api.close();
});

const enqueue = (queue: string, count: number) =>
  api.call('POST', '/api/jobs/batch', {
    json: {
      jobs: Array.from({ length: count }, () => ({
        handler: 'reports',
        method: 'build',
        params: [2026],
        queue,
      })),
    },
  });

describe('GET /api/stats', () => {
  it('counts by state and queue, with completed and failed per minute', async () => {
    await enqueue('a', 3);
    await runJobs(api.store, 2);
    await enqueue('b', 1);
    const res = await api.call('GET', '/api/stats?window=5');
    expect(res.status).toBe(200);
    const stats = await res.json();
    expect(stats.byState).toMatchObject({ completed: 2, failed: 1, queued: 1, running: 0 });
    expect(stats.byQueue.map((q: { queue: string }) => q.queue)).toEqual(['a', 'b']);
    expect(stats.throughput.minutes).toBe(5);
    expect(stats.throughput.points).toHaveLength(5);
    const total = stats.throughput.points.reduce(
      (n: number, p: { completed: number; failed: number }) => n + p.completed + p.failed,
      0,
    );
    expect(total).toBe(3);
  });

  it('defaults to the last hour and refuses a bad window', async () => {
    const stats = await (await api.call('GET', '/api/stats')).json();
    expect(stats.throughput.points).toHaveLength(60);
    for (const bad of ['0', '1441', 'x']) {
      const res = await api.call('GET', `/api/stats?window=${bad}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error.field).toBe('window');
    }
  });
});

describe('queues', () => {
  it('lists queues with counts, pauses and resumes them', async () => {
    await enqueue('emails', 2);
    const paused = await api.call('POST', '/api/queues/emails/pause');
    expect(await paused.json()).toEqual({ queue: { name: 'emails', paused: true } });
    const { queues } = await (await api.call('GET', '/api/queues')).json();
    expect(queues).toEqual([
      expect.objectContaining({
        name: 'emails',
        paused: true,
        byState: expect.objectContaining({ queued: 2 }),
      }),
    ]);
    expect(
      await api.store.jobClaim({ workerId: 'w', queues: null, limit: 5, leaseMs: 1000 }),
    ).toEqual([]);
    const resumed = await api.call('POST', '/api/queues/emails/resume');
    expect(await resumed.json()).toEqual({ queue: { name: 'emails', paused: false } });
    const res = await api.call('POST', '/api/queues/bad%20name/pause');
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe('name');
  });
});

describe('GET /api/handlers', () => {
  it('lists the allow-list with methods and JSON Schemas of params', async () => {
    const { handlers } = await (await api.call('GET', '/api/handlers')).json();
    expect(handlers.map((h: { name: string }) => h.name)).toEqual([
      'mailer',
      'App\\Services\\SomeClass',
      'reports',
    ]);
    const send = handlers[0].methods[0];
    expect(send).toMatchObject({ name: 'send', hasSchema: true });
    expect(send.paramsSchema).toMatchObject({ type: 'array' });
    expect(handlers[2].methods).toEqual([
      {
        name: 'build',
        hasSchema: false,
        paramsSchema: null,
        arity: { min: 1, max: 1, names: ['year'] },
      },
    ]);
  });
});

describe('system routes', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await api.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await api.call('GET', '/readyz')).json()).toEqual({ status: 'ok' });
  });

  it('serves Prometheus metrics read from the database', async () => {
    await enqueue('m', 4);
    const first = await api.call('GET', '/metrics');
    expect(first.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const before = await first.text();
    expect(before).toContain('jobs_in_state{queue="m",state="queued"} 4');
    expect(before).toContain('jobs_queue_due{queue="m"} 4');
    expect(before).toMatch(/jobs_queue_latency_seconds\{queue="m"\} \d/);
    expect(before).toContain('# TYPE jobs_duration_seconds histogram');

    await runJobs(api.store, 3);
    const after = await (await api.call('GET', '/metrics')).text();
    expect(after).toContain('jobs_completed_total{queue="m"} 3');
    expect(after).toContain('jobs_failed_total{queue="m"} 1');
    expect(after).toContain(
      'jobs_duration_seconds_bucket{queue="m",state="completed",le="+Inf"} 3',
    );
    expect(after).toContain('jobs_duration_seconds_count{queue="m",state="completed"} 3');
    expect(after).toContain('jobs_wait_seconds_count{queue="m",state="failed"} 1');
    expect(after).toContain('jobs_queue_paused{queue="m"} 0');
    // Counted once: a later scrape adds nothing new.
    const again = await (await api.call('GET', '/metrics')).text();
    expect(again).toContain('jobs_completed_total{queue="m"} 3');
    for (const line of again.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? [-+0-9.eInfNa]+$/);
    }
  });
});

describe('an unreachable database', () => {
  it('answers 503 store_unavailable, never 500', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/jobs', undefined],
      ['GET', '/api/jobs/1', undefined],
      ['POST', '/api/jobs', { handler: 'reports', method: 'build', params: [1] }],
      ['POST', '/api/jobs/1/cancel', undefined],
      ['GET', '/api/stats', undefined],
      ['GET', '/readyz', undefined],
      ['GET', '/metrics', undefined],
      ['GET', '/api/events', undefined],
    ] as const) {
      // A pool of its own each time: the driver waits longer before each reconnect attempt.
      const dead = createPgStore({ url: 'postgres://postgres@127.0.0.1:1/none', max: 1 });
      const app = createApp({
        store: dead,
        handlers: registry,
        token: null,
        onError: (error) => {
          throw error;
        },
      });
      try {
        const res = await app.request(path, {
          method,
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
        });
        expect(res.status, `${method} ${path}`).toBe(503);
        expect(((await res.json()) as AnyBody).error.code).toBe('store_unavailable');
        expect((await app.request('/healthz')).status).toBe(200);
      } finally {
        await dead.close();
      }
    }
  });
});
