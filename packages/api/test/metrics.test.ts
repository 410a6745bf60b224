import { createWorker, silentLogger, type Worker } from '@jobs/worker';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createMetricsApp } from '../src/metrics/metrics-app.js';
import { createTestApi, registry, runJobs, type TestApi } from './helpers.js';

let api: TestApi;
let worker: Worker | undefined;

beforeAll(async () => {
  api = await createTestApi('metrics');
});
afterEach(async () => {
  const running = worker;
  worker = undefined;
  if (running !== undefined && running.state !== 'stopped' && running.state !== 'idle') {
    await running.stop({ graceMs: 0 });
    throw new Error('the test left its worker running');
  }
});
afterAll(async () => {
  await api.close();
});

/** The value of one sample line (`name{labels} value`) of an exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Enqueues `count` jobs through the app and lets a real worker complete them all. */
async function completeThroughWorker(app: ReturnType<typeof createApp>, count: number) {
  for (let i = 0; i < count; i++) {
    const res = await app.request('/api/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        handler: 'App\\Services\\SomeClass',
        method: 'someMethod',
        params: [i, 1],
      }),
    });
    expect(res.status).toBe(201);
  }
  worker = createWorker({
    store: api.store,
    handlers: registry,
    pollIntervalMs: 20,
    flushIntervalMs: 5,
    jobLogPath: null,
    errorLogPath: null,
    logger: silentLogger,
  });
  await worker.start();
  const deadline = Date.now() + 10_000;
  while ((await api.store.jobCount()).byState.completed < count) {
    if (Date.now() > deadline) throw new Error(`${count} jobs did not complete within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await worker.stop({ graceMs: 1000 });
}

describe('/metrics counts from process start', () => {
  it('shows jobs a real worker completed before the first scrape', async () => {
    await api.schema.truncate();
    const app = createApp({
      store: api.store,
      handlers: registry,
      token: null,
      metrics: { lagMs: 0 },
    });
    await completeThroughWorker(app, 11);
    const first = await (await app.request('/metrics')).text();
    expect(sample(first, 'jobs_completed_total{queue="default"}')).toBe(11);
    expect(sample(first, 'jobs_failed_total{queue="default"}')).toBe(0);
    expect(sample(first, 'jobs_duration_seconds_count{queue="default",state="completed"}')).toBe(
      11,
    );
    // Counted once: a second scrape adds nothing.
    const second = await (await app.request('/metrics')).text();
    expect(sample(second, 'jobs_completed_total{queue="default"}')).toBe(11);
  });

  it('does not count jobs that finished before the app was made', async () => {
    await api.schema.truncate();
    await api.call('POST', '/api/jobs', {
      json: { handler: 'reports', method: 'build', params: [1] },
    });
    await runJobs(api.store, 1);
    const app = createApp({
      store: api.store,
      handlers: registry,
      token: null,
      metrics: { lagMs: 0 },
    });
    const text = await (await app.request('/metrics')).text();
    expect(sample(text, 'jobs_in_state{queue="default",state="completed"}')).toBe(1);
    expect(sample(text, 'jobs_completed_total{queue="default"}')).toBe(0);
  });

  it('reads finished jobs lagMs behind, and says so in the help text', async () => {
    await api.schema.truncate();
    const app = createApp({
      store: api.store,
      handlers: registry,
      token: null,
      metrics: { lagMs: 60_000 },
    });
    await completeThroughWorker(app, 2);
    const text = await (await app.request('/metrics')).text();
    // Finished less than a minute ago: not counted yet, but the series is there at 0.
    expect(sample(text, 'jobs_completed_total{queue="default"}')).toBe(0);
    expect(text).toContain(
      '# HELP jobs_completed_total Jobs that reached completed, counted since this process started (read 60 s behind the database clock).',
    );
  });
});

describe('request durations', () => {
  it('times each request under its matched route, never the path asked', async () => {
    const metricsRegistry = new Registry();
    const app = createApp({
      store: api.store,
      handlers: registry,
      token: null,
      metrics: { registry: metricsRegistry },
    });
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/api/jobs', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ handler: 'reports', method: 'build', params: [i] }),
      });
      expect(res.status).toBe(201);
    }
    const first = await app.request('/api/jobs');
    const { jobs } = (await first.json()) as { jobs: { id: string }[] };
    await app.request(`/api/jobs/${jobs[0]?.id}`);
    await app.request('/api/jobs/999999999');
    for (const path of ['/api/nope', '/api/x/y/z', `/random-${Date.now()}`])
      await app.request(path);
    const text = await (await app.request('/metrics')).text();
    const count = (labels: string) =>
      sample(text, `jobs_http_request_duration_seconds_count{${labels}}`);
    expect(count('method="POST",route="/api/jobs",status="201"')).toBe(3);
    expect(count('method="GET",route="/api/jobs",status="200"')).toBe(1);
    expect(count('method="GET",route="/api/jobs/:id",status="200"')).toBe(1);
    expect(count('method="GET",route="/api/jobs/:id",status="404"')).toBe(1);
    expect(count('method="GET",route="unmatched",status="404"')).toBe(3);
    expect(text).not.toContain('/random-');
  });
});

describe('the metrics server of a process without the API', () => {
  const metricsRegistry = new Registry();
  const token = 't'.repeat(40);
  const open = createMetricsApp({ registry: metricsRegistry, token: null, env: {} });
  const guarded = createMetricsApp({ registry: metricsRegistry, token, env: {} });

  it('serves GET /metrics, 405 for other methods, 404 elsewhere, 401 without the token', async () => {
    expect((await open.request('/metrics')).status).toBe(200);
    expect((await open.request('/healthz')).status).toBe(200);
    const post = await open.request('/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await open.request('/api/jobs')).status).toBe(404);
    expect((await guarded.request('/metrics')).status).toBe(401);
    const ok = await guarded.request('/metrics', { headers: { Authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    // /healthz needs no token, as on the API.
    expect((await guarded.request('/healthz')).status).toBe(200);
    expect((await open.request('/metrics', { headers: { Host: 'evil.example' } })).status).toBe(
      421,
    );
  });

  it('answers any method, path and headers without a 5xx (fuzz)', async () => {
    const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...methods),
        fc.oneof(
          fc.constantFrom('/metrics', '/healthz', '/', '/metrics/', '//metrics', '/metrics?x=1'),
          fc.webPath(),
        ),
        fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
        async (method, path, auth) => {
          const headers: Record<string, string> = {};
          if (auth !== undefined && /^[\x20-\x7e]*$/.test(auth)) headers.Authorization = auth;
          const res = await guarded.request(path.startsWith('/') ? path : `/${path}`, {
            method,
            headers,
          });
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });
});
