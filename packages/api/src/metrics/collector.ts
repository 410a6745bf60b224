import { JOB_STATES, type JobStatsStore, type JobStore } from '@jobs/core';
import { Exposition } from './exposition.js';

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
   * transaction is still committing are counted on a later scrape rather than missed.
   */
  readonly lagMs?: number;
}

/** Renders /metrics. */
export interface Metrics {
  render(): Promise<string>;
}

interface Totals {
  count: number;
  durationSum: number;
  durationBuckets: number[];
  waitSum: number;
  waitBuckets: number[];
}

/**
 * Everything comes from the database, so the numbers cover every worker process: gauges are
 * read at each scrape; counters and histograms add up the jobs that finished since the last
 * scrape (read through the finished_at index) to totals kept since this process started.
 */
export function createMetrics(
  store: JobStore & JobStatsStore,
  { buckets = DEFAULT_BUCKETS, lagMs = 5000 }: MetricsOptions = {},
): Metrics {
  const bounds = [...buckets].sort((a, b) => a - b);
  const totals = new Map<string, Totals & { queue: string; state: 'completed' | 'failed' }>();
  let after: Date | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  async function collect(): Promise<string> {
    const summary = await store.jobFinishedSummary({ after, lagMs, bounds });
    const [counts, queues, lag] = await Promise.all([
      store.jobCount(),
      store.queueList(),
      store.queueLag(),
    ]);
    // Only forward: a watermark moved back would count some jobs twice.
    if (after === null || summary.until > after) after = summary.until;
    for (const group of summary.groups) {
      const key = `${group.queue}\u0000${group.state}`;
      let entry = totals.get(key);
      if (entry === undefined) {
        entry = {
          queue: group.queue,
          state: group.state,
          count: 0,
          durationSum: 0,
          durationBuckets: bounds.map(() => 0),
          waitSum: 0,
          waitBuckets: bounds.map(() => 0),
        };
        totals.set(key, entry);
      }
      entry.count += group.count;
      entry.durationSum += group.durationSum;
      entry.waitSum += group.waitSum;
      group.durationBuckets.forEach((n, i) => {
        entry.durationBuckets[i] = (entry.durationBuckets[i] ?? 0) + n;
      });
      group.waitBuckets.forEach((n, i) => {
        entry.waitBuckets[i] = (entry.waitBuckets[i] ?? 0) + n;
      });
    }
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
    const sorted = [...totals.values()].sort(
      (a, b) => a.queue.localeCompare(b.queue) || a.state.localeCompare(b.state),
    );
    for (const state of ['completed', 'failed'] as const) {
      const name = `jobs_${state}_total`;
      out.family(
        name,
        'counter',
        `Jobs that reached ${state}, counted since this process started.`,
      );
      for (const t of sorted.filter((s) => s.state === state)) {
        out.sample(name, { queue: t.queue }, t.count);
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
