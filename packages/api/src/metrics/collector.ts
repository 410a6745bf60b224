import {
  type FinishedGroup,
  histogramSamples,
  JOB_DURATION_BUCKETS,
  JOB_STATES,
  type JobStatsStore,
  type JobStore,
  type ReadSample,
  registerReadMetric,
} from '@jobs/core';
import { Registry } from 'prom-client';
import { FinishedTotals } from './finished-totals.js';

/** Upper bounds (seconds) of the duration and wait histograms: 5 ms to 1 hour. */
export const DEFAULT_BUCKETS: readonly number[] = JOB_DURATION_BUCKETS;

/** Settings of the /metrics collector. */
export interface MetricsOptions {
  /** Histogram bucket bounds in seconds, ascending (default DEFAULT_BUCKETS). */
  readonly buckets?: readonly number[];
  /**
   * How far behind now the finished-job counters read (default 5000 ms), so that jobs whose
   * transaction is still committing are counted on a later scrape rather than missed: a job
   * shows in the counters of the first scrape at least this long after it finished.
   */
  readonly lagMs?: number;
  /**
   * The registry to serve (default: a new, empty one). The daemons pass the worker package's
   * `createMetricsRegistry()` (Node's process metrics), shared with their worker's metrics, so
   * /metrics shows them together.
   */
  readonly registry?: Registry;
}

/** What /metrics serves: a prom-client registry and its rendering. */
export interface Metrics {
  /** The registry /metrics renders; a daemon adds its worker's metrics to it. */
  readonly registry: Registry;
  render(): Promise<string>;
  /** The media type of `render()`'s text. */
  readonly contentType: string;
}

/** One scrape's reading of the database. */
interface Reading {
  readonly counts: Awaited<ReturnType<JobStore['jobCount']>>;
  readonly queues: Awaited<ReturnType<JobStore['queueList']>>;
  readonly lag: Awaited<ReturnType<JobStatsStore['queueLag']>>;
  readonly totals: readonly FinishedGroup[];
  readonly queueNames: readonly string[];
}

/**
 * Registers the families read from the database on `registry`, so the numbers cover every
 * worker process: gauges are read at each scrape; counters and histograms add up the jobs that
 * finished since the last scrape (read through the finished_at index) to totals kept since
 * this process started. The families are read once per scrape and shared.
 *
 * Counting starts when the families are registered (with the app): the first reading of the
 * store's clock is the watermark, so jobs finished before the first scrape are counted by it.
 * Should that reading fail (the database is down at start), counting starts at the first scrape.
 */
export function registerStoreMetrics(
  registry: Registry,
  store: JobStore & JobStatsStore,
  { buckets = DEFAULT_BUCKETS, lagMs = 5000 }: Omit<MetricsOptions, 'registry'> = {},
): void {
  const bounds = [...buckets].sort((a, b) => a - b);
  const totals = new FinishedTotals();
  let after: Date | null = null;
  // The store's now() at creation: no lag, nothing has finished since then yet.
  let chain: Promise<unknown> = store.jobFinishedSummary({ after: null, lagMs: 0, bounds }).then(
    (start) => {
      after ??= start.until;
    },
    () => undefined,
  );
  const lagText = `read ${lagMs / 1000} s behind the database clock`;

  async function read(): Promise<Reading> {
    const summary = await store.jobFinishedSummary({ after, lagMs, bounds });
    const [counts, queues, lag] = await Promise.all([
      store.jobCount(),
      store.queueList(),
      store.queueLag(),
    ]);
    // Only forward: a watermark moved back would count some jobs twice.
    if (after === null || summary.until > after) after = summary.until;
    totals.add(summary.groups);
    const sorted = totals.list();
    // Every queue known to the table shows its counters, at 0 before its first finished job.
    const queueNames = [
      ...new Set([...counts.byQueue.map((q) => q.queue), ...sorted.map((t) => t.queue)]),
    ].sort((a, b) => a.localeCompare(b));
    return { counts, queues, lag, totals: sorted, queueNames };
  }

  // One reading per scrape: the registry asks every family at once, in one tick.
  let current: Promise<Reading> | null = null;
  function reading(): Promise<Reading> {
    if (current !== null) return current;
    // Scrapes run one at a time, so the watermark moves forward exactly once per scrape.
    const next = chain.then(read, read);
    chain = next.catch(() => undefined);
    current = next;
    const clear = () => {
      setImmediate(() => {
        current = null;
      });
    };
    next.then(clear, clear);
    return next;
  }

  const family = (
    name: string,
    type: 'gauge' | 'counter' | 'histogram',
    help: string,
    samples: (r: Reading) => ReadSample[],
  ) =>
    registerReadMetric(registry, { name, type, help, read: async () => samples(await reading()) });

  family('jobs_in_state', 'gauge', 'Jobs in the table, by queue and state.', (r) =>
    r.counts.byQueue.flatMap(({ queue, byState }) =>
      JOB_STATES.map((state) => ({ labels: { queue, state }, value: byState[state] })),
    ),
  );
  family('jobs_queue_paused', 'gauge', '1 when workers may not claim from the queue.', (r) =>
    r.queues.map((q) => ({ labels: { queue: q.name }, value: q.paused ? 1 : 0 })),
  );
  family('jobs_queue_due', 'gauge', 'Runnable jobs whose run time has come.', (r) =>
    r.lag.map((q) => ({ labels: { queue: q.queue }, value: q.due })),
  );
  family(
    'jobs_queue_latency_seconds',
    'gauge',
    'How long the oldest due job of the queue has been waiting.',
    (r) => r.lag.map((q) => ({ labels: { queue: q.queue }, value: q.oldestWaitSeconds })),
  );
  for (const state of ['completed', 'failed'] as const) {
    family(
      `jobs_${state}_total`,
      'counter',
      `Jobs that reached ${state}, counted since this process started (${lagText}).`,
      (r) =>
        r.queueNames.map((queue) => ({
          labels: { queue },
          value: r.totals.find((t) => t.queue === queue && t.state === state)?.count ?? 0,
        })),
    );
  }
  family(
    'jobs_duration_seconds',
    'histogram',
    'Run time of the last attempt of jobs that completed or failed.',
    (r) =>
      r.totals.flatMap((t) =>
        histogramSamples(
          { queue: t.queue, state: t.state },
          bounds,
          t.durationBuckets,
          t.durationSum,
          t.count,
        ),
      ),
  );
  family(
    'jobs_wait_seconds',
    'histogram',
    'Queue latency: time from due to started of the last attempt of finished jobs.',
    (r) =>
      r.totals.flatMap((t) =>
        histogramSamples(
          { queue: t.queue, state: t.state },
          bounds,
          t.waitBuckets,
          t.waitSum,
          t.count,
        ),
      ),
  );
}

/**
 * The metrics of an API: the database families (`registerStoreMetrics`) and the API's request
 * durations (added by the app), on `registry` (default a new one) with whatever else it holds.
 */
export function createMetrics(
  store: JobStore & JobStatsStore,
  { registry, ...options }: MetricsOptions = {},
): Metrics {
  const served = registry ?? new Registry();
  registerStoreMetrics(served, store, options);
  return {
    registry: served,
    contentType: served.contentType,
    render: () => served.metrics(),
  };
}
