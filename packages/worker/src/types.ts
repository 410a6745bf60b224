import type { HandlerRegistry, Job, JobError, JobStore, JsonValue, PruneBatch } from '@jobs/core';
import type { BackoffPolicy } from './backoff.js';
import type { Listener } from './emitter.js';
import type { Logger } from './logger.js';

/**
 * Terminology
 * - slot: room for one running job; `concurrency` slots in all, `queueConcurrency` per queue.
 * - claim round: one or more `jobClaim` calls (one per batch) that fill free slots; a round
 *   whose batch came back full is followed by another at once.
 * - wake: a hint that jobs may be waiting (an `inserted` event, a freed slot) that starts a round
 *   before the next poll.
 * - heartbeat: the periodic `leaseRenew` of every job this worker holds, in one call.
 * - grace: how long `stop()` lets running jobs finish before it aborts and releases them.
 * - release: handing a running job back to `queued` without counting its attempt.
 * - prefetch (local queue): jobs claimed beyond the free slots and held, leased, in memory
 *   until a slot frees; fewer, larger claims at the cost of holding work other workers could run.
 */

/** Settings of a worker; only `store` and `handlers` are required. */
export interface WorkerOptions {
  /** Where jobs live (the PostgreSQL adapter, or a fake in unit tests). */
  readonly store: JobStore;
  /** The allow-list: only its handlers' methods ever run. */
  readonly handlers: HandlerRegistry<unknown>;
  /** Queues to serve; null or absent = all queues. */
  readonly queues?: readonly string[] | null;
  /** Jobs run at once, over all queues (default 10). */
  readonly concurrency?: number;
  /** Jobs run at once in some queues, on top of the total limit. */
  readonly queueConcurrency?: Readonly<Record<string, number>>;
  /** Most jobs per claim (default: `concurrency + prefetch`). */
  readonly batchSize?: number;
  /**
   * Jobs to claim ahead of free slots and hold in a local queue (default 0: claim only for free
   * slots). Not combinable with `queueConcurrency`. Held jobs are leased (state `running`, their
   * `startedAt` is the claim time), renewed, released on stop and dropped when cancelled.
   */
  readonly prefetch?: number;
  /** Milliseconds between claims when no event wakes the worker (default 1,000). */
  readonly pollIntervalMs?: number;
  /** Lease length in milliseconds (default 30,000); renewed every third of it. */
  readonly leaseMs?: number;
  /** Milliseconds between rescues of expired leases (default 15,000; 0 turns rescue off). */
  readonly rescueIntervalMs?: number;
  /** Most jobs rescued per call (default 100). */
  readonly rescueBatchSize?: number;
  /**
   * Milliseconds between retention pruning passes (default 60,000; 0 turns this worker's pruner
   * off). Any number of workers may prune: the database lets one at a time.
   */
  readonly pruneIntervalMs?: number;
  /** Finished jobs deleted per transaction by the pruner (default 500). */
  readonly pruneBatchSize?: number;
  /** Longest an outcome waits to share a write with others, in ms (default 10). */
  readonly flushIntervalMs?: number;
  /** Most outcomes per write (default 1,000). */
  readonly flushBatchSize?: number;
  /** Shortest time between two progress writes of a job, in ms (default 250). */
  readonly progressIntervalMs?: number;
  /** Grace between SIGTERM and SIGKILL of an isolated handler's process, in ms (default 2,000). */
  readonly killGraceMs?: number;
  /** Node options for isolated handlers' processes, e.g. `['--import', 'tsx']` (default none). */
  readonly isolateExecArgv?: readonly string[];
  /** Waits after store failures (default 100 ms doubling to 10 s). */
  readonly storeBackoff?: BackoffPolicy;
  /** How long `stop()` keeps retrying writes when the store is down, in ms (default 10,000). */
  readonly stopFlushTimeoutMs?: number;
  /** Default grace of `stop()`, in ms (default 30,000). */
  readonly graceMs?: number;
  /** Job log file (or directory); null turns it off. Default: env, then `logs/background_jobs.log`. */
  readonly jobLogPath?: string | null | undefined;
  /** Error log file (or directory); null turns it off. Default: env, then `logs/background_jobs_error.log`. */
  readonly errorLogPath?: string | null | undefined;
  /** Environment read for the log paths (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory that relative paths are resolved from (default `process.cwd()`). */
  readonly cwd?: string;
  /** Where the daemon reports about itself (default: JSON lines on stdout). */
  readonly logger?: Logger;
  /** The clock (default `() => new Date()`). */
  readonly now?: () => Date;
  /** Random numbers in [0, 1) for jitter and the worker id (default `Math.random`). */
  readonly random?: () => number;
  /** This worker's lease-owner id (default `${hostname}:${pid}:${random hex}`). */
  readonly workerId?: string;
}

/** Why a running job was given up without recording an outcome. */
export type CancelReason = 'cancelled' | 'lease-lost';

/** Where in the daemon a store or file error happened. */
export type WorkerErrorSource =
  | 'claim'
  | 'flush'
  | 'renew'
  | 'rescue'
  | 'prune'
  | 'listen'
  | 'release'
  | 'log-file';

/** The events a worker emits, with their payloads. */
export interface WorkerEvents {
  /** An attempt started. */
  started: { readonly job: Job };
  /** The store recorded a completion. */
  completed: { readonly job: Job; readonly result: JsonValue | null; readonly durationMs: number };
  /** The store recorded a failed attempt that will be retried after `delayMs`. */
  retrying: {
    readonly job: Job;
    readonly error: JobError;
    readonly delayMs: number;
    readonly durationMs: number;
  };
  /** The store recorded a failed attempt that ended the job (no retries left, or permanent). */
  failed: { readonly job: Job; readonly error: JobError; readonly durationMs: number };
  /** A running job was cancelled elsewhere, or its lease was lost: its signal aborted. */
  cancelled: { readonly job: Job; readonly reason: CancelReason };
  /** A running job went back to `queued` (shutdown), its attempt not counted. */
  released: { readonly job: Job };
  /** This worker rescued a job whose lease had expired (the job as it is now). */
  rescued: { readonly job: Job };
  /** This worker's pruner deleted a batch of finished jobs past their retention. */
  pruned: { readonly batch: PruneBatch };
  /** Something failed and will be retried; the worker carries on. */
  error: { readonly error: unknown; readonly source: WorkerErrorSource };
  /** `stop()` finished. */
  stopped: { readonly workerId: string };
  /** A claim round ended: how many jobs it claimed and how long its store calls took. */
  claimRound: { readonly claimed: number; readonly durationMs: number };
  /** One write of buffered outcomes answered: how many it carried and how long it took. */
  flushed: { readonly outcomes: number; readonly durationMs: number };
}

/** Subscribing to a worker's events. */
export interface WorkerEventSource {
  on<K extends keyof WorkerEvents>(event: K, listener: Listener<WorkerEvents[K]>): () => void;
  once<K extends keyof WorkerEvents>(event: K, listener: Listener<WorkerEvents[K]>): () => void;
  off<K extends keyof WorkerEvents>(event: K, listener: Listener<WorkerEvents[K]>): void;
}

/** Where a worker is in its life. */
export type WorkerState = 'idle' | 'running' | 'stopping' | 'stopped';

/** A worker daemon: claims, runs and records jobs until stopped. */
export interface Worker {
  /** Its lease-owner id. */
  readonly id: string;
  /** Its events. */
  readonly events: WorkerEventSource;
  /** Where it is in its life. */
  readonly state: WorkerState;
  /** Jobs it runs now. */
  readonly runningCount: number;
  /** Starts listening, claiming, renewing and rescuing; resolves once under way. */
  start(): Promise<void>;
  /**
   * Stops claiming, lets running jobs finish for `graceMs` (default: the `graceMs` option), then
   * aborts and releases the rest, writes what is buffered and stops listening.
   */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
}
