import type { DependencyResult, JobFlow, NewDependency } from './flow.js';
import type {
  Job,
  JobError,
  JobLogLine,
  JobState,
  JsonValue,
  RetryPolicy,
  TraceCarrier,
} from './job.js';
import type { QueueLimits, QueueLimitsPatch } from './queue-limits.js';
import type { EnqueuedJob, UniqueRule } from './unique.js';

/** A job as the client hands it to the store: validated, defaults filled in. */
export interface NewJob {
  readonly queue: string;
  readonly handler: string;
  readonly method: string;
  readonly params: readonly JsonValue[];
  readonly priority: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number | null;
  readonly uniqueKey: string | null;
  /** Which jobs holding `uniqueKey` make this one a duplicate; absent: `DEFAULT_UNIQUE_RULE`. */
  readonly uniqueRule?: UniqueRule;
  readonly tags: readonly string[];
  readonly backoff: RetryPolicy;
  /**
   * When it may run: a delay measured on the store's clock (the database server's, so that
   * every machine agrees), or an absolute time. A job due later than now starts `scheduled`.
   */
  readonly runAt: { readonly delayMs: number } | { readonly at: Date };
  /** See `Job.concurrencyKey`; null for none. */
  readonly concurrencyKey: string | null;
  /** The enqueue's trace context (tracing.ts), stored so that its attempts join its trace. */
  readonly traceContext?: TraceCarrier | null;
}

/** What a store chose for a job it inserted: its id, its first state and its times. */
export interface InsertedFields {
  readonly id: string;
  readonly state: JobState;
  readonly runAt: Date;
  readonly createdAt: Date;
}

/**
 * The job a store holds right after inserting `spec`: what was sent, what the store chose, and
 * a new job's defaults (no attempt, lease, progress, result, errors or log lines). Its retry
 * policy is its own copy, since specs often share one default object.
 */
export function insertedJob(spec: NewJob, fields: InsertedFields): Job {
  return {
    id: fields.id,
    queue: spec.queue,
    handler: spec.handler,
    method: spec.method,
    params: spec.params,
    priority: spec.priority,
    state: fields.state,
    attempt: 0,
    maxAttempts: spec.maxAttempts,
    runAt: fields.runAt,
    createdAt: fields.createdAt,
    startedAt: null,
    finishedAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    timeoutMs: spec.timeoutMs,
    progress: null,
    result: null,
    errors: [],
    errorsDropped: 0,
    logs: [],
    uniqueKey: spec.uniqueKey,
    tags: spec.tags,
    backoff: { ...spec.backoff },
    schedule: null,
    concurrencyKey: spec.concurrencyKey,
    traceContext: spec.traceContext ?? null,
  };
}

/**
 * `insertedJob` as an insert answers it: created by this insert. The flag is added to the new
 * job rather than copying it into another object (bulk inserts answer 50,000 at a time).
 */
export function createdJob(spec: NewJob, fields: InsertedFields): EnqueuedJob {
  const job = insertedJob(spec, fields) as Job & { created?: boolean };
  job.created = true;
  return job as EnqueuedJob;
}

/** Filters and paging for `jobList`; every filter is optional and they combine with AND. */
export interface JobListParams {
  readonly states?: readonly JobState[];
  readonly queues?: readonly string[];
  readonly handler?: string;
  readonly method?: string;
  /** Created at or after this time. */
  readonly createdFrom?: Date;
  /** Created before this time. */
  readonly createdTo?: Date;
  /** Case-insensitive text to find in the params or the errors. */
  readonly search?: string;
  /** Page size. */
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** `desc` (newest first, the default) or `asc`, by id. */
  readonly order?: 'asc' | 'desc';
}

/** One page of jobs and the cursor of the next, null on the last page. */
export interface JobPage {
  readonly jobs: readonly Job[];
  readonly nextCursor: string | null;
}

/** How many jobs are in each state, overall and per queue. */
export interface JobCounts {
  readonly byState: Readonly<Record<JobState, number>>;
  readonly byQueue: readonly {
    readonly queue: string;
    readonly byState: Readonly<Record<JobState, number>>;
  }[];
}

/** A queue and whether workers may claim from it. */
export interface QueueInfo {
  readonly name: string;
  readonly paused: boolean;
}

/** A queue's limits across every worker and how much of them is in use now. */
export interface QueueUsage extends QueueInfo, QueueLimits {
  /** Jobs of the queue running now (unexpired leases), on every worker. */
  readonly running: number;
  /** Starts inside the current rate window (0 without a rate limit). */
  readonly recentStarts: number;
}

/** A finished attempt, to be recorded as completed. */
export interface AttemptCompletion {
  readonly id: string;
  readonly attempt: number;
  readonly result: JsonValue | null;
}

/** Where a failed attempt leads, decided by core (`transition` with a `fail` event). */
export type FailureOutcome =
  | { readonly state: 'retrying'; readonly delayMs: number }
  | { readonly state: 'failed' };

/** A failed attempt, to be recorded with its error and its next state. */
export interface AttemptFailure {
  readonly id: string;
  readonly attempt: number;
  readonly error: JobError;
  readonly outcome: FailureOutcome;
}

/** One attempt of one job: what a worker holds, renews and reports on. */
export interface AttemptRef {
  readonly id: string;
  readonly attempt: number;
}

/** A running attempt handed back unfinished (graceful shutdown); the attempt is not counted. */
export type AttemptRelease = AttemptRef;

/**
 * What happened to jobs, for live views (the API's server-sent events), in lifecycle order.
 * `retried`: made to run again by hand; `released`: handed back unfinished by a worker shutting
 * down; `progress`: a running job reported progress or log lines.
 */
export const JOB_CHANGES = [
  'created',
  'started',
  'progress',
  'completed',
  'retrying',
  'failed',
  'cancelled',
  'retried',
  'released',
  'deleted',
] as const;

/** One of `JOB_CHANGES`. */
export type JobChange = (typeof JOB_CHANGES)[number];

/** What other processes said through the store (LISTEN/NOTIFY on PostgreSQL). */
export type StoreEvent =
  /** New jobs were inserted: idle workers should try to claim. */
  | { readonly type: 'inserted' }
  /** These jobs were cancelled; a worker running one of them should abort it. */
  | { readonly type: 'cancelled'; readonly ids: readonly string[] }
  /**
   * Jobs changed, told once per statement (split into several events when the ids are many).
   * A store sends it alongside `inserted` and `cancelled`, which stay the workers' signals.
   */
  | {
      readonly type: 'changed';
      /** What happened to them. */
      readonly change: JobChange;
      /** Their state afterwards (for `deleted`, the state they were deleted in). */
      readonly state: JobState;
      /** The jobs concerned, at least one. */
      readonly ids: readonly string[];
    };

/** Completed and failed jobs of one minute of the store's clock. */
export interface ThroughputPoint {
  /** The start of the minute. */
  readonly at: Date;
  /** Jobs that reached `completed` in that minute. */
  readonly completed: number;
  /** Jobs that reached `failed` in that minute. */
  readonly failed: number;
}

/** Jobs of one queue that reached one final state in a period, with their timings. */
export interface FinishedGroup {
  readonly queue: string;
  readonly state: 'completed' | 'failed';
  /** How many. */
  readonly count: number;
  /** Sum of the run times of their last attempts (start to finish), in seconds. */
  readonly durationSum: number;
  /** For each of the asked bounds, how many ran at most that many seconds (cumulative). */
  readonly durationBuckets: readonly number[];
  /** Sum of the waits of their last attempts (due to started), in seconds. */
  readonly waitSum: number;
  /** For each of the asked bounds, how many waited at most that many seconds (cumulative). */
  readonly waitBuckets: readonly number[];
}

/** Jobs that finished in `(after, until]`, grouped by queue and final state. */
export interface FinishedSummary {
  /** Pass as `after` next time to count every finished job exactly once. */
  readonly until: Date;
  readonly groups: readonly FinishedGroup[];
}

/** How far behind a queue is: its due, runnable jobs and the oldest one's wait. */
export interface QueueLag {
  readonly queue: string;
  /** Runnable jobs whose run time has come. */
  readonly due: number;
  /** Seconds since the longest-waiting due job's run time, 0 when none is due. */
  readonly oldestWaitSeconds: number;
}

/**
 * Aggregates for dashboards and metrics, on the store's clock. Kept apart from `JobStore` so
 * that stores (and test doubles) that only run jobs need not implement it.
 */
export interface JobStatsStore {
  /** Completed and failed jobs per minute over the last `minutes` minutes, oldest first. */
  jobThroughput(params: { readonly minutes: number }): Promise<ThroughputPoint[]>;
  /**
   * Jobs that reached `completed` or `failed` after `after` (null: start counting now, the
   * groups are empty) and up to `lagMs` before now, so that transactions still committing are
   * counted next time. `bounds` are the histogram buckets' upper bounds in seconds, ascending.
   */
  jobFinishedSummary(params: {
    readonly after: Date | null;
    readonly lagMs: number;
    readonly bounds: readonly number[];
  }): Promise<FinishedSummary>;
  /** Per queue with due runnable jobs: how many and how long the oldest has waited. */
  queueLag(): Promise<QueueLag[]>;
}

/** What a store offers on a caller's open transaction: the insert, nothing that reads or claims. */
export type TransactionStore = Pick<JobStore, 'jobInsert' | 'flowInsert'>;

/** Jobs to insert with dependencies: among them (by index) and on existing jobs (by id). */
export interface NewFlow {
  readonly jobs: readonly NewJob[];
  /** Each job's key in the flow (null for a single enqueue), kept for `dependencyList`. */
  readonly keys: readonly (string | null)[];
  /** Checked by core: known references, no cycle, within FLOW_LIMITS. */
  readonly dependencies: readonly NewDependency[];
}

/** A job as a claim returns it. */
export interface ClaimedJob extends Job {
  /**
   * True when the claim took it within a queue's limits (a queue with a concurrency or rate
   * limit, or a job with a concurrency key): while it runs it may hold a slot other workers
   * wait for, so a worker writes its outcome at once instead of batching it with others.
   */
  readonly limited?: true;
}

/**
 * The storage port. Methods are named noun-then-verb and take one params object. Every
 * state change is applied with a guard on the state (and, for running jobs, on the lease owner
 * and attempt), so a stale worker can never overwrite what another process decided.
 */
export interface JobStore {
  /**
   * Inserts jobs in one statement and returns them in input order. A job whose unique key is
   * held (see `UniqueRule`) is not inserted: the holder comes back in its place with
   * `created: false`, decided by the store without races between concurrent inserts.
   */
  jobInsert(params: { readonly jobs: readonly NewJob[] }): Promise<EnqueuedJob[]>;
  /**
   * Optional: `jobInsert` for `count` jobs handed over in `chunks` (in input order) while
   * later ones are still being checked, so that the store can write the first while the client
   * checks the next. All or none: when `chunks` throws, nothing is inserted and the error comes
   * back. The jobs have no unique key, and all are created.
   */
  jobInsertStream?(params: {
    readonly count: number;
    readonly chunks: AsyncIterable<readonly NewJob[]>;
  }): Promise<EnqueuedJob[]>;
  /**
   * The insert bound to a caller's open transaction (`executor`, opaque to core: the store says
   * which kinds it accepts and throws a ValidationError naming `tx` for others). Jobs inserted
   * through it commit or roll back with that transaction. Optional: a store without it cannot
   * enqueue inside a caller's transaction.
   */
  withExecutor?(executor: unknown): TransactionStore;
  /** One job, or null. */
  jobGet(params: { readonly id: string }): Promise<Job | null>;
  /** A filtered page of jobs. */
  jobList(params: JobListParams): Promise<JobPage>;
  /** Cancels the jobs that may be cancelled and returns those it changed. */
  jobCancel(params: { readonly ids: readonly string[] }): Promise<Job[]>;
  /** Makes failed, cancelled, retrying or scheduled jobs run now; returns those it changed. */
  jobRetry(params: { readonly ids: readonly string[] }): Promise<Job[]>;
  /** Deletes jobs that are not running; returns how many. */
  jobDelete(params: { readonly ids: readonly string[] }): Promise<number>;
  /**
   * Claims up to `limit` due jobs in priority order from unpaused queues (all queues when
   * `queues` is null), leasing them to `workerId` for `leaseMs`.
   */
  jobClaim(params: {
    readonly workerId: string;
    readonly queues: readonly string[] | null;
    readonly limit: number;
    readonly leaseMs: number;
    /**
     * Most jobs of limited queues (queue limits, concurrency keys) among them; default `limit`.
     * A worker passes its free run slots, so that it never holds a limited job it cannot start.
     */
    readonly startLimit?: number;
  }): Promise<ClaimedJob[]>;
  /** Records completions still owned by `workerId`; returns the ids recorded. */
  jobComplete(params: {
    readonly workerId: string;
    readonly jobs: readonly AttemptCompletion[];
  }): Promise<string[]>;
  /** Records failures still owned by `workerId`; returns the ids recorded. */
  jobFail(params: {
    readonly workerId: string;
    readonly jobs: readonly AttemptFailure[];
  }): Promise<string[]>;
  /** Puts running jobs back to `queued` without counting the attempt; returns the ids released. */
  jobRelease(params: {
    readonly workerId: string;
    readonly jobs: readonly AttemptRelease[];
  }): Promise<string[]>;
  /**
   * Stores progress and appends log lines of attempt `attempt` of a job `workerId` is running;
   * false when that attempt is no longer running there (a late handler cannot write into the
   * next attempt).
   */
  jobProgressSet(params: {
    readonly workerId: string;
    readonly id: string;
    readonly attempt: number;
    readonly progress?: JsonValue;
    readonly logs?: readonly JobLogLine[];
  }): Promise<boolean>;
  /** How many jobs are in each state, overall and per queue. */
  jobCount(): Promise<JobCounts>;
  /**
   * Extends the leases `workerId` holds on these attempts; returns those it still holds (each
   * job runs one attempt at a time, so at most one attempt per id comes back).
   */
  leaseRenew(params: {
    readonly workerId: string;
    readonly jobs: readonly AttemptRef[];
    readonly leaseMs: number;
  }): Promise<AttemptRef[]>;
  /**
   * Takes back up to `limit` running jobs whose lease expired, failing the attempt with
   * "worker lost" (retrying or failed by the job's policy); one process at a time does it.
   */
  leaseRescue(params: { readonly limit: number; readonly random: () => number }): Promise<Job[]>;
  /** Queues that have jobs or are paused, by name; an empty, resumed queue is not listed. */
  queueList(): Promise<QueueInfo[]>;
  /**
   * Stops workers claiming from a queue. A queue that has no jobs and was never paused is
   * unknown: null, and nothing is written, unless `create` asks to pause it before its first job.
   */
  queuePause(params: {
    readonly name: string;
    readonly create?: boolean;
  }): Promise<QueueInfo | null>;
  /** Lets workers claim from a queue again; null for an unknown queue (see `queuePause`). */
  queueResume(params: { readonly name: string }): Promise<QueueInfo | null>;
  /**
   * Changes a queue's limits (a key left out is kept, null removes it), creating the queue's
   * settings when it has none; wakes waiting workers. Returns the queue with its use.
   */
  queueLimitsSet(params: {
    readonly name: string;
    readonly limits: QueueLimitsPatch;
  }): Promise<QueueUsage>;
  /** Every queue with settings or jobs, with its limits and their use now, by name. */
  queueUsageList(): Promise<QueueUsage[]>;
  /**
   * How long until a rate-limited queue (of `queues`; null = all) with due jobs may start one
   * again, in ms: Infinity when none is held back by its rate, null when no served queue has a
   * rate limit. Optional: stores without limits leave it out; workers then wait for their poll.
   */
  queueLimitWait?(params: { readonly queues: readonly string[] | null }): Promise<number | null>;
  /**
   * Inserts a flow, all or none, in one transaction: a job whose dependencies are unfinished
   * starts `waiting`. An existing job named by id that does not exist is a ValidationError
   * naming `dependencies.N`. Optional: a store without it cannot hold dependencies.
   */
  flowInsert?(params: NewFlow): Promise<Job[]>;
  /** The graph of jobs linked to `id` by dependencies (at most `limit` jobs), or null. */
  flowGet?(params: { readonly id: string; readonly limit: number }): Promise<JobFlow | null>;
  /** The dependencies of job `id` that it may read the results of, in the order given. */
  dependencyList?(params: { readonly id: string }): Promise<DependencyResult[]>;
  /** Calls `listener` for every event; resolves to a function that stops listening. */
  eventListen(listener: (event: StoreEvent) => void): Promise<() => Promise<void>>;
}
