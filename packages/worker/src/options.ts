import { hostname } from 'node:os';
import { DEFAULT_PRUNE_BATCH_SIZE, type HandlerRegistry, type JobStore } from '@jobs/core';
import { type BackoffPolicy, DEFAULT_STORE_BACKOFF } from './backoff.js';
import { WorkerOptionsError } from './errors.js';
import {
  DEFAULT_ERROR_LOG_PATH,
  DEFAULT_JOB_LOG_PATH,
  ERROR_LOG_FILE_NAME,
  JOB_LOG_FILE_NAME,
  resolveLogPath,
} from './log-files.js';
import { createJsonLogger, type Logger } from './logger.js';
import type { WorkerOptions } from './types.js';

/** The environment variable naming the job log file (the original's name). */
export const JOB_LOG_ENV = 'BACKGROUND_JOB_LOG_DIRECTORY';

/** The environment variable naming the error log file (the original's name). */
export const ERROR_LOG_ENV = 'BACKGROUND_JOB_ERROR_LOG_DIRECTORY';

/** Worker settings with every default filled in. */
export interface ResolvedWorkerOptions {
  readonly store: JobStore;
  readonly handlers: HandlerRegistry<unknown>;
  readonly queues: readonly string[] | null;
  readonly concurrency: number;
  readonly queueConcurrency: Readonly<Record<string, number>>;
  readonly batchSize: number;
  readonly prefetch: number;
  readonly pollIntervalMs: number;
  readonly leaseMs: number;
  readonly rescueIntervalMs: number;
  readonly rescueBatchSize: number;
  readonly pruneIntervalMs: number;
  readonly pruneBatchSize: number;
  readonly flushIntervalMs: number;
  readonly flushBatchSize: number;
  readonly progressIntervalMs: number;
  readonly killGraceMs: number;
  readonly isolateExecArgv: readonly string[];
  readonly storeBackoff: BackoffPolicy;
  readonly stopFlushTimeoutMs: number;
  readonly graceMs: number;
  readonly jobLogPath: string | null;
  readonly errorLogPath: string | null;
  readonly cwd: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** `now()` in epoch milliseconds, without making a Date when the clock is the real one. */
  readonly nowMs: () => number;
  readonly random: () => number;
  readonly workerId: string;
}

/** Fills in defaults and checks bounds; throws WorkerOptionsError naming the field. */
export function resolveOptions(options: WorkerOptions): ResolvedWorkerOptions {
  const random = options.random ?? Math.random;
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const concurrency = int(options.concurrency, 'concurrency', 10, 1);
  const leaseMs = int(options.leaseMs, 'leaseMs', 30_000, 30);
  const queues = options.queues ?? null;
  if (queues !== null && (queues.length === 0 || queues.some((q) => typeof q !== 'string'))) {
    throw new WorkerOptionsError('queues', 'must list at least one queue name (null = all)');
  }
  const queueConcurrency = options.queueConcurrency ?? {};
  for (const [name, limit] of Object.entries(queueConcurrency)) {
    int(limit, `queueConcurrency.${name}`, 1, 1);
  }
  const prefetch = int(options.prefetch, 'prefetch', 0, 0);
  const { now } = options;
  if (prefetch > 0 && Object.keys(queueConcurrency).length > 0) {
    throw new WorkerOptionsError('prefetch', 'cannot be combined with queueConcurrency');
  }
  const backoff = options.storeBackoff ?? DEFAULT_STORE_BACKOFF;
  int(backoff.baseMs, 'storeBackoff.baseMs', 1, 1);
  int(backoff.maxMs, 'storeBackoff.maxMs', 1, backoff.baseMs);
  const workerId =
    options.workerId ??
    `${hostname()}:${process.pid}:${Math.floor(random() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0')}`;
  if (workerId.length === 0 || workerId.length > 200) {
    throw new WorkerOptionsError('workerId', 'must be 1 to 200 characters long');
  }
  return {
    store: options.store,
    handlers: options.handlers,
    queues,
    concurrency,
    queueConcurrency,
    batchSize: int(options.batchSize, 'batchSize', concurrency + prefetch, 1),
    prefetch,
    pollIntervalMs: int(options.pollIntervalMs, 'pollIntervalMs', 1_000, 1),
    leaseMs,
    rescueIntervalMs: int(options.rescueIntervalMs, 'rescueIntervalMs', 15_000, 0),
    rescueBatchSize: int(options.rescueBatchSize, 'rescueBatchSize', 100, 1),
    pruneIntervalMs: int(options.pruneIntervalMs, 'pruneIntervalMs', 60_000, 0),
    pruneBatchSize: int(options.pruneBatchSize, 'pruneBatchSize', DEFAULT_PRUNE_BATCH_SIZE, 1),
    flushIntervalMs: int(options.flushIntervalMs, 'flushIntervalMs', 10, 0),
    flushBatchSize: int(options.flushBatchSize, 'flushBatchSize', 1_000, 1),
    progressIntervalMs: int(options.progressIntervalMs, 'progressIntervalMs', 250, 0),
    killGraceMs: int(options.killGraceMs, 'killGraceMs', 2_000, 0),
    isolateExecArgv: options.isolateExecArgv ?? [],
    storeBackoff: backoff,
    stopFlushTimeoutMs: int(options.stopFlushTimeoutMs, 'stopFlushTimeoutMs', 10_000, 0),
    graceMs: int(options.graceMs, 'graceMs', 30_000, 0),
    jobLogPath: resolveLogPath(
      options.jobLogPath,
      env[JOB_LOG_ENV],
      DEFAULT_JOB_LOG_PATH,
      JOB_LOG_FILE_NAME,
      cwd,
    ),
    errorLogPath: resolveLogPath(
      options.errorLogPath,
      env[ERROR_LOG_ENV],
      DEFAULT_ERROR_LOG_PATH,
      ERROR_LOG_FILE_NAME,
      cwd,
    ),
    cwd,
    logger: options.logger ?? createJsonLogger({ base: { workerId } }),
    now: now ?? (() => new Date()),
    nowMs: now === undefined ? Date.now : () => now().getTime(),
    random,
    workerId,
  };
}

function int(value: number | undefined, field: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new WorkerOptionsError(field, `must be a whole number of at least ${min}`);
  }
  return value;
}
