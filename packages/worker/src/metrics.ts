import {
  BucketCounts,
  JOB_DURATION_BUCKETS,
  type Job,
  type MetricRegistry,
  type ReadSample,
  registerReadMetric,
} from '@jobs/core';
import type { CancelReason, Worker } from './types.js';

/** Upper bounds (seconds) of the run time and queue wait histograms: 5 ms to 1 hour. */
export const JOB_BUCKETS: readonly number[] = JOB_DURATION_BUCKETS;

/** Upper bounds (seconds) of the claim and outcome-write histograms: 0.5 ms to 5 s. */
export const STORE_CALL_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
];

/** Settings of `instrumentWorker`. */
export interface WorkerMetricsOptions {
  /** The registry the metrics go on (one process's /metrics), e.g. prom-client's `Registry`. */
  readonly registry: MetricRegistry;
  /**
   * Bounds of the run time and queue wait histograms, in seconds (default JOB_BUCKETS). The
   * first worker instrumented on a registry sets them.
   */
  readonly buckets?: readonly number[];
}

/** What the attempts of one queue, handler and method came to. */
interface JobSeries {
  readonly labels: { readonly queue: string; readonly handler: string; readonly method: string };
  started: number;
  completed: number;
  failed: number;
  retried: number;
  readonly cancelled: Record<CancelReason, number>;
  readonly run: Record<'completed' | 'retrying' | 'failed', BucketCounts>;
  readonly wait: BucketCounts;
}

/**
 * The counts of every worker instrumented on one registry, in plain numbers: what a job adds
 * is a map lookup and a few additions (prom-client's labelled series hash their labels on every
 * call: about 1 µs a counter and several a histogram, a tenth of a fast job's cost). The
 * registry reads them when scraped.
 */
class WorkerCounts {
  readonly series = new Map<string, JobSeries>();
  readonly rescued = new Map<string, number>();
  readonly leasesLost = new Map<string, number>();
  readonly claimRound = new BucketCounts(STORE_CALL_BUCKETS);
  readonly flush = new BucketCounts(STORE_CALL_BUCKETS);
  claimed = 0;
  readonly workers = new Set<Worker>();

  constructor(readonly buckets: readonly number[]) {}

  of(job: Job): JobSeries {
    const key = `${job.queue}\u0000${job.handler}\u0000${job.method}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        labels: { queue: job.queue, handler: job.handler, method: job.method },
        started: 0,
        completed: 0,
        failed: 0,
        retried: 0,
        cancelled: { cancelled: 0, 'lease-lost': 0 },
        run: {
          completed: new BucketCounts(this.buckets),
          retrying: new BucketCounts(this.buckets),
          failed: new BucketCounts(this.buckets),
        },
        wait: new BucketCounts(this.buckets),
      };
      this.series.set(key, series);
    }
    return series;
  }

  /** Every series with its count of `field`, for a counter family. */
  counter(field: 'started' | 'completed' | 'failed' | 'retried'): ReadSample[] {
    return [...this.series.values()].map((s) => ({ labels: s.labels, value: s[field] }));
  }
}

const countsOf = new WeakMap<MetricRegistry, WorkerCounts>();

/** Adds an amount to a count kept by name. */
function add(map: Map<string, number>, key: string, amount = 1): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}

/** The counts of `registry`, with their families registered on first use. */
function countsFor(registry: MetricRegistry, buckets: readonly number[]): WorkerCounts {
  const known = countsOf.get(registry);
  if (known !== undefined) return known;
  const c = new WorkerCounts(buckets);
  countsOf.set(registry, c);
  const family = (
    name: string,
    type: 'counter' | 'histogram' | 'gauge',
    help: string,
    read: () => ReadSample[],
  ) => registerReadMetric(registry, { name, type, help, read });
  family(
    'jobs_worker_started_total',
    'counter',
    'Attempts this process started, by queue, handler and method.',
    () => c.counter('started'),
  );
  family(
    'jobs_worker_completed_total',
    'counter',
    'Attempts this process ran that completed (recorded by the store).',
    () => c.counter('completed'),
  );
  family(
    'jobs_worker_failed_total',
    'counter',
    'Attempts this process ran that failed the job for good (no retries left, or permanent).',
    () => c.counter('failed'),
  );
  family(
    'jobs_worker_retried_total',
    'counter',
    'Attempts this process ran that failed and will be retried.',
    () => c.counter('retried'),
  );
  family(
    'jobs_worker_cancelled_total',
    'counter',
    'Attempts this process stopped: reason="cancelled" (by a user) or "lease-lost".',
    () =>
      [...c.series.values()].flatMap((s) =>
        (['cancelled', 'lease-lost'] as const)
          .filter((reason) => s.cancelled[reason] > 0)
          .map((reason) => ({ labels: { ...s.labels, reason }, value: s.cancelled[reason] })),
      ),
  );
  family(
    'jobs_worker_rescued_total',
    'counter',
    'Jobs whose lease had expired (their worker gone) that this process rescued.',
    () => [...c.rescued].map(([queue, value]) => ({ labels: { queue }, value })),
  );
  family(
    'jobs_worker_lease_lost_total',
    'counter',
    'Attempts whose lease renewal this process lost (the job was rescued by another worker).',
    () => [...c.leasesLost].map(([queue, value]) => ({ labels: { queue }, value })),
  );
  family(
    'jobs_worker_run_duration_seconds',
    'histogram',
    'Run time of attempts this process ran, by queue, handler, method and outcome.',
    () =>
      [...c.series.values()].flatMap((s) =>
        (['completed', 'retrying', 'failed'] as const)
          .filter((outcome) => s.run[outcome].count > 0)
          .flatMap((outcome) => s.run[outcome].samples({ ...s.labels, outcome })),
      ),
  );
  family(
    'jobs_worker_queue_wait_seconds',
    'histogram',
    'Queue wait of attempts this process started: start minus run-at, on the database clock.',
    () => [...c.series.values()].flatMap((s) => s.wait.samples(s.labels)),
  );
  family(
    'jobs_worker_claim_round_seconds',
    'histogram',
    'Time of one claim round (its store calls).',
    () => c.claimRound.samples({}),
  );
  family('jobs_worker_claimed_total', 'counter', 'Jobs this process claimed.', () => [
    { labels: {}, value: c.claimed },
  ]);
  family(
    'jobs_worker_outcome_flush_seconds',
    'histogram',
    'Time of one write of buffered outcomes (completions and failures).',
    () => c.flush.samples({}),
  );
  family('jobs_worker_running', 'gauge', 'Attempts running in this process now.', () => {
    let running = 0;
    for (const worker of c.workers) running += worker.runningCount;
    return [{ labels: {}, value: running }];
  });
  return c;
}

/**
 * Counts what `worker` does into metrics on `registry` (a prom-client `Registry`), from its
 * events: attempts started, completed, failed, retried and cancelled, their run time and queue
 * wait, claim rounds, outcome writes, rescues and lost leases. Labels are the queue, the
 * handler and the method: the allow-list bounds handlers and methods, queues are the
 * application's. Several workers on one registry add up. Returns a function that stops
 * counting.
 */
export function instrumentWorker(worker: Worker, options: WorkerMetricsOptions): () => void {
  const c = countsFor(options.registry, options.buckets ?? JOB_BUCKETS);
  c.workers.add(worker);
  const { events } = worker;
  const offs = [
    events.on('started', ({ job }) => {
      const series = c.of(job);
      series.started += 1;
      if (job.startedAt !== null) {
        series.wait.observe(Math.max(0, job.startedAt.getTime() - job.runAt.getTime()) / 1000);
      }
    }),
    events.on('completed', ({ job, durationMs }) => {
      const series = c.of(job);
      series.completed += 1;
      series.run.completed.observe(durationMs / 1000);
    }),
    events.on('retrying', ({ job, durationMs }) => {
      const series = c.of(job);
      series.retried += 1;
      series.run.retrying.observe(durationMs / 1000);
    }),
    events.on('failed', ({ job, durationMs }) => {
      const series = c.of(job);
      series.failed += 1;
      series.run.failed.observe(durationMs / 1000);
    }),
    events.on('cancelled', ({ job, reason }) => {
      c.of(job).cancelled[reason] += 1;
      if (reason === 'lease-lost') add(c.leasesLost, job.queue);
    }),
    events.on('rescued', ({ job }) => add(c.rescued, job.queue)),
    events.on('claimRound', ({ claimed, durationMs }) => {
      c.claimRound.observe(durationMs / 1000);
      c.claimed += claimed;
    }),
    events.on('flushed', ({ durationMs }) => c.flush.observe(durationMs / 1000)),
  ];
  return () => {
    for (const off of offs) off();
    c.workers.delete(worker);
  };
}
