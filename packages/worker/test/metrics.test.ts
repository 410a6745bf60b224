import { defineHandlers, PermanentError } from '@jobs/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { jobContext } from '../src/context.js';
import { instrumentWorker } from '../src/metrics.js';
import { hasPromtool, promtoolCheckMetrics } from '../src/testing/promtool.js';
import { testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

/** The value of one series in the registry's JSON, or undefined when it has none. */
async function value(
  registry: Registry,
  name: string,
  labels: Readonly<Record<string, string>> = {},
  metricName = name,
): Promise<number | undefined> {
  const family = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const sample = family?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === metricName &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return sample?.value;
}

const HAS_PROMTOOL = hasPromtool();

describe('worker metrics', () => {
  const pg = usePg('metrics');
  trackWorkers();

  it('counts what known jobs did: starts, completions, retries, failures, cancels, times', async () => {
    const calls = { ok: 0, flaky: 0, bad: 0, slow: 0 };
    const handlers = defineHandlers({
      work: {
        ok: () => {
          calls.ok += 1;
          return 'fine';
        },
        flaky: () => {
          calls.flaky += 1;
          if (calls.flaky === 1) throw new Error('first try fails');
          return 'second try';
        },
        bad: () => {
          calls.bad += 1;
          throw new PermanentError('never works');
        },
        slow: async () => {
          calls.slow += 1;
          const { signal } = jobContext();
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        },
      },
    });
    const retryAtOnce = { kind: 'fixed', delayMs: 0 } as const;
    const [, , , , , slowId = ''] = await pg.insert(
      { handler: 'work', method: 'ok', params: [] },
      { handler: 'work', method: 'ok', params: [] },
      { handler: 'work', method: 'ok', params: [] },
      { handler: 'work', method: 'flaky', params: [], maxAttempts: 2, backoff: retryAtOnce },
      { handler: 'work', method: 'bad', params: [], queue: 'mail', maxAttempts: 3 },
      { handler: 'work', method: 'slow', params: [] },
    );
    const registry = new Registry();
    const worker = testWorker({ store: pg.store, handlers, concurrency: 8 });
    const stop = instrumentWorker(worker, { registry });
    await worker.start();
    await waitFor(() => calls.ok === 3 && calls.flaky === 2 && calls.bad === 1 && calls.slow === 1);
    await waitFor(async () => (await value(registry, 'jobs_worker_running')) === 1);
    await pg.other.jobCancel({ ids: [slowId] });
    await waitFor(
      async () =>
        (await value(registry, 'jobs_worker_cancelled_total', { method: 'slow' })) === 1 &&
        (await value(registry, 'jobs_worker_completed_total', { method: 'flaky' })) === 1,
    );
    await worker.stop();
    stop();

    const job = (method: string, queue = 'default') => ({ queue, handler: 'work', method });
    expect(await value(registry, 'jobs_worker_started_total', job('ok'))).toBe(3);
    expect(await value(registry, 'jobs_worker_started_total', job('flaky'))).toBe(2);
    expect(await value(registry, 'jobs_worker_started_total', job('bad', 'mail'))).toBe(1);
    expect(await value(registry, 'jobs_worker_completed_total', job('ok'))).toBe(3);
    expect(await value(registry, 'jobs_worker_completed_total', job('flaky'))).toBe(1);
    expect(await value(registry, 'jobs_worker_retried_total', job('flaky'))).toBe(1);
    expect(await value(registry, 'jobs_worker_failed_total', job('bad', 'mail'))).toBe(1);
    expect(await value(registry, 'jobs_worker_failed_total', job('ok'))).toBe(0);
    expect(
      await value(registry, 'jobs_worker_cancelled_total', { ...job('slow'), reason: 'cancelled' }),
    ).toBe(1);
    expect(await value(registry, 'jobs_worker_lease_lost_total')).toBeUndefined();
    // Histograms: one observation per attempt, by outcome.
    const count = (name: string, labels: Record<string, string>) =>
      value(registry, name, labels, `${name}_count`);
    const run = 'jobs_worker_run_duration_seconds';
    expect(await count(run, { ...job('ok'), outcome: 'completed' })).toBe(3);
    expect(await count(run, { ...job('flaky'), outcome: 'retrying' })).toBe(1);
    expect(await count(run, { ...job('flaky'), outcome: 'completed' })).toBe(1);
    expect(await count(run, { ...job('bad', 'mail'), outcome: 'failed' })).toBe(1);
    const wait = 'jobs_worker_queue_wait_seconds';
    expect(await count(wait, job('ok'))).toBe(3);
    expect(await count(wait, job('flaky'))).toBe(2);
    // Seven attempts were claimed, in rounds that were timed; outcomes were written and timed.
    expect(await value(registry, 'jobs_worker_claimed_total')).toBe(7);
    expect(await count('jobs_worker_claim_round_seconds', {})).toBeGreaterThanOrEqual(1);
    expect(await count('jobs_worker_outcome_flush_seconds', {})).toBeGreaterThanOrEqual(1);
    expect(await value(registry, 'jobs_worker_running')).toBe(0);
  });

  it('counts two workers of one process into the same series, and stops when asked', async () => {
    let ran = 0;
    const handlers = defineHandlers({ work: { ok: () => ran++ } });
    const registry = new Registry();
    const a = testWorker({ store: pg.store, handlers });
    const b = testWorker({ store: pg.other, handlers });
    const stopA = instrumentWorker(a, { registry });
    const stopB = instrumentWorker(b, { registry });
    await Promise.all([a.start(), b.start()]);
    await pg.insert(
      ...Array.from({ length: 20 }, () => ({ handler: 'work', method: 'ok', params: [] })),
    );
    await waitFor(() => ran === 20, 10_000, `20 runs (ran ${ran})`);
    await waitFor(
      async () => (await value(registry, 'jobs_worker_completed_total')) === 20,
      5_000,
      'the completions counted',
    );
    stopA();
    stopB();
    await pg.insert({ handler: 'work', method: 'ok', params: [] });
    await waitFor(() => ran === 21);
    await Promise.all([a.stop(), b.stop()]);
    expect(await value(registry, 'jobs_worker_started_total')).toBe(20);
  });

  it.skipIf(!HAS_PROMTOOL)('writes text that promtool check metrics accepts', async () => {
    const handlers = defineHandlers({
      work: { ok: () => 1, bad: () => Promise.reject(new PermanentError('no')) },
    });
    const registry = new Registry();
    const worker = testWorker({ store: pg.store, handlers });
    const stop = instrumentWorker(worker, { registry });
    await worker.start();
    await pg.insert(
      { handler: 'work', method: 'ok', params: [], queue: 'q "quoted"\\ \u00e9' },
      { handler: 'work', method: 'bad', params: [] },
    );
    await waitFor(
      async () => (await value(registry, 'jobs_worker_completed_total', { method: 'ok' })) === 1,
    );
    await waitFor(
      async () => (await value(registry, 'jobs_worker_failed_total', { method: 'bad' })) === 1,
    );
    await worker.stop();
    stop();
    expect(promtoolCheckMetrics(await registry.metrics())).toBe('');
  });
});
