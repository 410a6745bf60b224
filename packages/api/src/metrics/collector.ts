import { JOB_STATES, type JobStatsStore, type JobStore } from '@jobs/core';
import { Exposition } from './exposition.js';
import { FinishedTotals } from './finished-totals.js';

/** Upper bounds (seconds) of the duration and wait histograms: 5 ms to 1 hour. */
export const DEFAULT_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

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
}

/** Renders /metrics. */
export interface Metrics {
  render(): Promise<string>;
}

/**
 * Everything comes from the database, so the numbers cover every worker process: gauges are
 * read at each scrape; counters and histograms add up the jobs that finished since the last
 * scrape (read through the finished_at index) to totals kept since this process started.
 *
 * Counting starts when the collector is made (with the app): its first reading of the store's
 * clock is the watermark, so jobs finished before the first scrape are counted by it. Should
 * that reading fail (the database is down at start), counting starts at the first scrape.
 */
export function createMetrics(
  store: JobStore & JobStatsStore,
  { buckets = DEFAULT_BUCKETS, lagMs = 5000 }: MetricsOptions = {},
): Metrics {
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

  async function collect(): Promise<string> {
    const summary = await store.jobFinishedSummary({ after, lagMs, bounds });
    const [counts, queues, lag] = await Promise.all([
      store.jobCount(),
      store.queueList(),
      store.queueLag(),
    ]);
    // Only forward: a watermark moved back would count some jobs twice.
    if (after === null || summary.until > after) after = summary.until;
    totals.add(summary.groups);
    const out = new Exposition();
    out.family('jobs_in_state', 'gauge', 'Jobs in the table, by queue and state.');
    for (const { queue, byState } of counts.byQueue) {
      for (const state of JOB_STATES) out.sample('jobs_in_state', { queue, state }, byState[state]);
    }
    out.family('jobs_queue_paused', 'gauge', '1 when workers may not claim from the queue.');
    for (const q of queues) out.sample('jobs_queue_paused', { queue: q.name }, q.paused ? 1 : 0);
    out.family('jobs_queue_due', 'gauge', 'Runnable jobs whose run time has come.');
    for (const q of lag) out.sample('jobs_queue_due', { queue: q.queue }, q.due);
    out.family(
      'jobs_queue_latency_seconds',
      'gauge',
      'How long the oldest due job of the queue has been waiting.',
    );
    for (const q of lag) {
      out.sample('jobs_queue_latency_seconds', { queue: q.queue }, q.oldestWaitSeconds);
    }
    const sorted = totals.list();
    // Every queue known to the table shows its counters, at 0 before its first finished job.
    const queueNames = [
      ...new Set([...counts.byQueue.map((q) => q.queue), ...sorted.map((t) => t.queue)]),
    ].sort((a, b) => a.localeCompare(b));
    for (const state of ['completed', 'failed'] as const) {
      const name = `jobs_${state}_total`;
      out.family(
        name,
        'counter',
        `Jobs that reached ${state}, counted since this process started (${lagText}).`,
      );
      for (const queue of queueNames) {
        out.sample(name, { queue }, totals.get(queue, state)?.count ?? 0);
      }
    }
    out.family(
      'jobs_duration_seconds',
      'histogram',
      'Run time of the last attempt of jobs that completed or failed.',
    );
    for (const t of sorted) {
      const labels = { queue: t.queue, state: t.state };
      out.histogram(
        'jobs_duration_seconds',
        labels,
        bounds,
        t.durationBuckets,
        t.durationSum,
        t.count,
      );
    }
    out.family(
      'jobs_wait_seconds',
      'histogram',
      'Queue latency: time from due to started of the last attempt of finished jobs.',
    );
    for (const t of sorted) {
      const labels = { queue: t.queue, state: t.state };
      out.histogram('jobs_wait_seconds', labels, bounds, t.waitBuckets, t.waitSum, t.count);
    }
    return out.toString();
  }

  return {
    // Scrapes run one at a time, so the watermark moves forward exactly once per scrape.
    render() {
      const next = chain.then(collect, collect);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
