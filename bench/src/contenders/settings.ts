/**
 * The contenders and the settings each runs in. "default" is each system as installed;
 * "fast" is the fastest settings its documentation names (see the comments below and the
 * bench README section of the report), at the same concurrency.
 */
export const SYSTEMS = ['ours', 'graphile-worker', 'pg-boss'] as const;
export type System = (typeof SYSTEMS)[number];
export type Settings = 'default' | 'fast';

/** What each system does with a completed job (printed with the results). */
export const COMPLETED_JOBS: Record<System, string> = {
  ours: 'kept in the jobs table (state completed) for the retention (default 1 day), then pruned',
  'graphile-worker': 'deleted from its jobs table at completion',
  'pg-boss':
    'kept in pgboss.job (state completed), archived after 12 h, archive deleted after 7 days (v10 defaults)',
};

/**
 * This project, fast: `--prefetch` 500, a local queue of claimed jobs the size of
 * graphile-worker's fast preset, and `--change-events off`.
 */
export const FAST_PREFETCH = 500;

/** The queue / task name every contender's jobs use. */
export const PEER_TASK = 'bench_noop';

/**
 * graphile-worker 0.17, fast: the batching options of its performance page
 * (worker.graphile.org/docs/performance, "Batching"; the typings of `localQueue`,
 * `completeJobBatchDelay`, `failJobBatchDelay` in graphile-worker/dist/index.d.ts): a local
 * queue of 500 jobs, completions and failures batched with a delay of 0, a pool of
 * `concurrency + 2` connections as its `maxPoolSize` doc recommends (at most 30 here).
 */
export function graphileFastPreset(concurrency: number) {
  return {
    worker: {
      localQueue: { size: 500 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
      maxPoolSize: Math.max(10, Math.min(concurrency + 2, 30)),
    },
  };
}

/**
 * pg-boss 10, fast: v10 dropped teamSize/teamConcurrency; its documented knobs are `work()`'s
 * `batchSize` and `pollingIntervalSeconds` (minimum 0.5 s; a worker waits out the interval
 * after every fetch, so a worker runs at most batchSize jobs per interval), and concurrency
 * comes from calling `work()` more than once or from running a fetched batch concurrently in
 * the handler, as its maintainer advises (timgit/pg-boss issues 483 and 542). Here:
 * PGBOSS_FAST_WORKERS workers, each fetching up to PGBOSS_FAST_BATCH jobs every 0.5 s, their
 * handlers sharing one limit of `concurrency` jobs running at once. 8 x 1000 was the fastest
 * of workers {4, 8, 16} x batch {250, 1000, 2000} at concurrency 64 on the 2-core machine.
 */
export const PGBOSS_FAST_WORKERS = 8;
export const PGBOSS_FAST_BATCH = 1000;
export const PGBOSS_FAST_POLLING_SECONDS = 0.5;

/** What a worker process of a peer is told (as JSON in argv[2]). */
export interface PeerWorkerConfig {
  readonly system: Exclude<System, 'ours'>;
  readonly settings: Settings;
  readonly url: string;
  readonly concurrency: number;
}

/** What a client process is told (as JSON in argv[2]). */
export interface ClientConfig {
  readonly system: System;
  readonly settings: Settings;
  readonly url: string;
  /** bulk: batch calls of `jobs` in all; trickle: `jobs` calls, one job each, at `rate` per second. */
  readonly role: 'bulk' | 'trickle';
  readonly jobs: number;
  /** bulk: jobs per batch call, the calls made one after another (default: all in one call). */
  readonly callSize?: number;
  readonly rate?: number;
  /** trickle: where to write [id, wall-clock ms before the call] pairs. */
  readonly out?: string;
}
