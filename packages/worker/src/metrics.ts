import type { Job } from '@jobs/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Worker } from './types.js';

/** Upper bounds (seconds) of the run time and queue wait histograms: 5 ms to 1 hour. */
export const JOB_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/** Upper bounds (seconds) of the claim and outcome-write histograms: 0.5 ms to 5 s. */
export const STORE_CALL_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
];

/** Settings of `instrumentWorker`. */
export interface WorkerMetricsOptions {
  /** The registry the metrics go on (one process's /metrics). */
  readonly registry: Registry;
  /** Bounds of the run time and queue wait histograms, in seconds (default JOB_BUCKETS). */
  readonly buckets?: readonly number[];
}

const JOB_LABELS = ['queue', 'handler', 'method'] as const;

/** The metric families of the workers of one registry. */
interface Families {
  readonly started: Counter<(typeof JOB_LABELS)[number]>;
  readonly completed: Counter<(typeof JOB_LABELS)[number]>;
  readonly failed: Counter<(typeof JOB_LABELS)[number]>;
  readonly retried: Counter<(typeof JOB_LABELS)[number]>;
  readonly cancelled: Counter<(typeof JOB_LABELS)[number] | 'reason'>;
  readonly rescued: Counter<'queue'>;
  readonly leasesLost: Counter<'queue'>;
  readonly runDuration: Histogram<(typeof JOB_LABELS)[number] | 'outcome'>;
  readonly queueWait: Histogram<(typeof JOB_LABELS)[number]>;
  readonly claimRound: Histogram<never>;
  readonly claimed: Counter<never>;
  readonly flush: Histogram<never>;
  readonly running: Gauge<never>;
  /** Workers of this registry whose running count the gauge adds up. */
  readonly workers: Set<Worker>;
}

const familiesOf = new WeakMap<Registry, Families>();

/**
 * The families of `registry`, made on first use: several workers of one process (tests, or a
 * process running two) count into the same series.
 */
function families(registry: Registry, buckets: readonly number[]): Families {
  const known = familiesOf.get(registry);
  if (known !== undefined) return known;
  const registers = [registry];
  const workers = new Set<Worker>();
  const made: Families = {
    started: new Counter({
      name: 'jobs_worker_started_total',
      help: 'Attempts this process started, by queue, handler and method.',
      labelNames: JOB_LABELS,
      registers,
    }),
    completed: new Counter({
      name: 'jobs_worker_completed_total',
      help: 'Attempts this process ran that completed (recorded by the store).',
      labelNames: JOB_LABELS,
      registers,
    }),
    failed: new Counter({
      name: 'jobs_worker_failed_total',
      help: 'Attempts this process ran that failed the job for good (no retries left, or permanent).',
      labelNames: JOB_LABELS,
      registers,
    }),
    retried: new Counter({
      name: 'jobs_worker_retried_total',
      help: 'Attempts this process ran that failed and will be retried.',
      labelNames: JOB_LABELS,
      registers,
    }),
    cancelled: new Counter({
      name: 'jobs_worker_cancelled_total',
      help: 'Attempts this process stopped: reason="cancelled" (by a user) or "lease-lost".',
      labelNames: [...JOB_LABELS, 'reason'] as const,
      registers,
    }),
    rescued: new Counter({
      name: 'jobs_worker_rescued_total',
      help: 'Jobs whose lease had expired (their worker gone) that this process rescued.',
      labelNames: ['queue'] as const,
      registers,
    }),
    leasesLost: new Counter({
      name: 'jobs_worker_lease_lost_total',
      help: 'Attempts whose lease renewal this process lost (the job was rescued by another worker).',
      labelNames: ['queue'] as const,
      registers,
    }),
    runDuration: new Histogram({
      name: 'jobs_worker_run_duration_seconds',
      help: 'Run time of attempts this process ran, by queue, handler, method and outcome.',
      labelNames: [...JOB_LABELS, 'outcome'] as const,
      buckets: [...buckets],
      registers,
    }),
    queueWait: new Histogram({
      name: 'jobs_worker_queue_wait_seconds',
      help: 'Queue wait of attempts this process started: start minus run-at, on the database clock.',
      labelNames: JOB_LABELS,
      buckets: [...buckets],
      registers,
    }),
    claimRound: new Histogram({
      name: 'jobs_worker_claim_round_seconds',
      help: 'Time of one claim round (its store calls).',
      buckets: [...STORE_CALL_BUCKETS],
      registers,
    }),
    claimed: new Counter({
      name: 'jobs_worker_claimed_total',
      help: 'Jobs this process claimed.',
      registers,
    }),
    flush: new Histogram({
      name: 'jobs_worker_outcome_flush_seconds',
      help: 'Time of one write of buffered outcomes (completions and failures).',
      buckets: [...STORE_CALL_BUCKETS],
      registers,
    }),
    running: new Gauge({
      name: 'jobs_worker_running',
      help: 'Attempts running in this process now.',
      registers,
      collect() {
        let running = 0;
        for (const worker of workers) running += worker.runningCount;
        this.set(running);
      },
    }),
    workers,
  };
  familiesOf.set(registry, made);
  return made;
}

function jobLabels(job: Job) {
  return { queue: job.queue, handler: job.handler, method: job.method };
}

/**
 * Counts what `worker` does into prom-client metrics on `registry`, from its events: attempts
 * started, completed, failed, retried and cancelled, their run time and queue wait, claim
 * rounds, outcome writes and lost leases. Labels are the queue, the handler and the method:
 * the allow-list bounds handlers and methods, queues are the application's. Returns a function
 * that stops counting.
 */
export function instrumentWorker(worker: Worker, options: WorkerMetricsOptions): () => void {
  const f = families(options.registry, options.buckets ?? JOB_BUCKETS);
  f.workers.add(worker);
  const { events } = worker;
  const offs = [
    events.on('started', ({ job }) => {
      f.started.inc(jobLabels(job));
      if (job.startedAt !== null) {
        f.queueWait.observe(
          jobLabels(job),
          Math.max(0, job.startedAt.getTime() - job.runAt.getTime()) / 1000,
        );
      }
    }),
    events.on('completed', ({ job, durationMs }) => {
      f.completed.inc(jobLabels(job));
      f.runDuration.observe({ ...jobLabels(job), outcome: 'completed' }, durationMs / 1000);
    }),
    events.on('retrying', ({ job, durationMs }) => {
      f.retried.inc(jobLabels(job));
      f.runDuration.observe({ ...jobLabels(job), outcome: 'retrying' }, durationMs / 1000);
    }),
    events.on('failed', ({ job, durationMs }) => {
      f.failed.inc(jobLabels(job));
      f.runDuration.observe({ ...jobLabels(job), outcome: 'failed' }, durationMs / 1000);
    }),
    events.on('cancelled', ({ job, reason }) => {
      f.cancelled.inc({ ...jobLabels(job), reason });
      if (reason === 'lease-lost') f.leasesLost.inc({ queue: job.queue });
    }),
    events.on('rescued', ({ job }) => f.rescued.inc({ queue: job.queue })),
    events.on('claimRound', ({ claimed, durationMs }) => {
      f.claimRound.observe(durationMs / 1000);
      if (claimed > 0) f.claimed.inc(claimed);
    }),
    events.on('flushed', ({ durationMs }) => f.flush.observe(durationMs / 1000)),
  ];
  return () => {
    for (const off of offs) off();
    f.workers.delete(worker);
  };
}
