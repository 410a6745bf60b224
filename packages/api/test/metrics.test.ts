import { createWorker, silentLogger, type Worker } from '@jobs/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
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
