import { ValidationError } from './errors.js';
import { JOB_STATES } from './job.js';
import { quoteLogText } from './log-text.js';
import { validateQueueName } from './options.js';
import {
  parseDuration,
  RETENTION_STATES,
  type RetentionSettings,
  type RetentionState,
} from './retention.js';
import { isPlainObject } from './validate.js';

/** How long a prune asked for by hand (client, API, CLI) waits for a pass under way. */
export const MANUAL_PRUNE_WAIT_MS = 30_000;

/** Rows a prune deletes per statement unless told otherwise: short locks, short transactions. */
export const DEFAULT_PRUNE_BATCH_SIZE = 500;

/** Largest batch a caller may ask for. */
export const MAX_PRUNE_BATCH_SIZE = 10_000;

/**
 * Which finished jobs a prune removes. Without an age (`olderThanMs`, `finishedBefore`) each
 * queue's retention decides, and a state kept forever is left alone; with one, it replaces
 * the retention. Only final states are ever pruned: never a running or waiting job.
 */
export interface PruneParams {
  /** Final states to prune (default: completed, failed and cancelled). */
  readonly states?: readonly RetentionState[];
  /** Only these queues (default: every queue). */
  readonly queues?: readonly string[];
  /** Jobs that finished more than this many milliseconds ago, on the store's clock. */
  readonly olderThanMs?: number;
  /** Jobs that finished before this time (with `olderThanMs`: the earlier cutoff). */
  readonly finishedBefore?: Date;
  /** Count what would go, delete nothing. */
  readonly dryRun?: boolean;
  /** Jobs per delete statement (default 500). */
  readonly batchSize?: number;
  /** Most batches in this call; it then ends with `more` (default: until none is left). */
  readonly maxBatches?: number;
  /**
   * How long to wait for another process's pruning pass to end before giving up with `busy`
   * (default 0: give up at once, as the daemons' pruners do).
   */
  readonly waitMs?: number;
  /** Told after each committed batch (the pruner writes a job-log line for it). */
  readonly onBatch?: (batch: PruneBatch) => void;
}

/** One committed delete: up to `batchSize` jobs of one queue in one state. */
export interface PruneBatch {
  readonly queue: string;
  readonly state: RetentionState;
  /** Jobs deleted. */
  readonly count: number;
  /** The cutoff: these jobs finished before it. */
  readonly finishedBefore: Date;
  /** The oldest and newest finish time among them. */
  readonly oldest: Date | null;
  readonly newest: Date | null;
}

/** What a prune did (or, dry, would do). */
export interface PruneResult {
  /** Jobs deleted (dry run: jobs that would be). */
  readonly deleted: number;
  /** Per queue and state, how many (only those with some). */
  readonly byQueue: readonly {
    readonly queue: string;
    readonly state: RetentionState;
    readonly count: number;
  }[];
  readonly dryRun: boolean;
  /** Another process was pruning; this one stopped without waiting (see `wait`). */
  readonly busy: boolean;
  /** Batches committed. */
  readonly batches: number;
  /** Stopped at `maxBatches` with jobs perhaps left to prune: call again. */
  readonly more: boolean;
}

/** The jobs table's size on disk and its dead rows, read from PostgreSQL's statistics. */
export interface JobTableStats {
  /** Table, TOAST and indexes, in bytes (`pg_total_relation_size`). */
  readonly totalBytes: number;
  /** The table's heap alone. */
  readonly tableBytes: number;
  /** All its indexes. */
  readonly indexBytes: number;
  /** Estimated live and dead rows (`pg_stat_user_tables`). */
  readonly liveRows: number;
  readonly deadRows: number;
  /** Dead rows as a share of all rows, 0 to 1. */
  readonly deadShare: number;
  /** When (auto)vacuum last finished on it; null if never. */
  readonly lastVacuumAt: Date | null;
  /**
   * Whether autovacuum runs on it (the server's `autovacuum` setting and the table's own). Off,
   * nothing reclaims the rows the pruner deletes and the table keeps growing.
   */
  readonly autovacuum: boolean;
}

/**
 * Retention and pruning on a store: its settings (every process reads the same ones), the
 * prune, and the table's size. Kept apart from `JobStore` like `JobStatsStore`, so that stores
 * and test doubles that only run jobs need not implement it.
 */
export interface JobRetentionStore {
  /** The retention in force: the defaults and each queue's overrides. */
  retentionGet(): Promise<RetentionSettings>;
  /** Replaces every retention setting (a queue not listed loses its overrides). */
  retentionSet(params: { readonly settings: RetentionSettings }): Promise<RetentionSettings>;
  /**
   * Deletes finished jobs in small batches, oldest first, one batch per transaction, one
   * process at a time (the database decides); see `PruneParams`.
   */
  jobPrune(params: PruneParams): Promise<PruneResult>;
  /** The jobs table's size and dead rows. */
  jobTableStats(): Promise<JobTableStats>;
}

/**
 * Checks what a caller asks to prune (the API's query, the CLI's flags, the client): states
 * must be final (`running` and the waiting states are refused, naming `state`), queue names
 * valid, ages durations. Returns the params with text turned into values.
 */
export function validatePruneParams(value: unknown): PruneParams {
  if (!isPlainObject(value)) throw new ValidationError('prune', 'must be an object');
  const out: {
    states?: RetentionState[];
    queues?: string[];
    olderThanMs?: number;
    finishedBefore?: Date;
    dryRun?: boolean;
    batchSize?: number;
    maxBatches?: number;
    waitMs?: number;
  } = {};
  if (value.states !== undefined) {
    if (!Array.isArray(value.states) || value.states.length === 0) {
      throw new ValidationError('state', 'must list at least one final state');
    }
    out.states = value.states.map((state: unknown) => finalState(state));
  }
  if (value.queues !== undefined) {
    if (!Array.isArray(value.queues) || value.queues.length === 0) {
      throw new ValidationError('queue', 'must list at least one queue');
    }
    out.queues = value.queues.map((q: unknown) => validateQueueName(q, 'queue'));
  }
  if (value.olderThanMs !== undefined) {
    out.olderThanMs = parseDuration(value.olderThanMs, 'olderThan');
  }
  if (value.finishedBefore !== undefined) {
    const at = value.finishedBefore;
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
      throw new ValidationError('finishedBefore', 'must be a valid time');
    }
    out.finishedBefore = at;
  }
  if (value.dryRun !== undefined) {
    if (typeof value.dryRun !== 'boolean') throw new ValidationError('dryRun', 'must be boolean');
    out.dryRun = value.dryRun;
  }
  if (value.waitMs !== undefined) {
    const n = value.waitMs;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 600_000) {
      throw new ValidationError('waitMs', 'must be a whole number of milliseconds up to 600000');
    }
    out.waitMs = n;
  }
  if (value.batchSize !== undefined) {
    const n = value.batchSize;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PRUNE_BATCH_SIZE) {
      throw new ValidationError(
        'batchSize',
        `must be a whole number from 1 to ${MAX_PRUNE_BATCH_SIZE}`,
      );
    }
    out.batchSize = n;
  }
  if (value.maxBatches !== undefined) {
    const n = value.maxBatches;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new ValidationError('maxBatches', 'must be a whole number of at least 1');
    }
    out.maxBatches = n;
  }
  const onBatch = value.onBatch;
  return typeof onBatch === 'function'
    ? { ...out, onBatch: onBatch as (batch: PruneBatch) => void }
    : out;
}

/** A final state, or a ValidationError naming `state` that says why others are refused. */
function finalState(value: unknown): RetentionState {
  if (typeof value === 'string' && (RETENTION_STATES as readonly string[]).includes(value)) {
    return value as RetentionState;
  }
  const known = typeof value === 'string' && (JOB_STATES as readonly string[]).includes(value);
  throw new ValidationError(
    'state',
    known
      ? `only finished jobs are pruned (${RETENTION_STATES.join(', ')}), not ${value} ones`
      : `must be one of ${RETENTION_STATES.join(', ')}`,
  );
}

/**
 * One job-log line for a pruned batch (never one per job): `<ISO time> status=pruned
 * count=<n> queue="<name>" state=<state> finished_before=<ISO> worker="<id>"`, quoted like the
 * job lines (see `formatJobLogLine`), so a log reader splits it on spaces the same way.
 */
export function formatPruneLogLine(at: Date, batch: PruneBatch, workerId: string): string {
  return (
    `${at.toISOString()} status=pruned count=${batch.count} queue=${quoteLogText(batch.queue)}` +
    ` state=${batch.state} finished_before=${batch.finishedBefore.toISOString()}` +
    ` worker=${quoteLogText(workerId)}\n`
  );
}
