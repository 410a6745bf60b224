import {
  DEPENDENCY_POLICIES,
  FINAL_STATES,
  JOB_STATES,
  type JobError,
  type JobLogLine,
  type JsonValue,
  type RetryPolicy,
  RUNNABLE_STATES,
  type TraceCarrier,
} from '@jobs/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { sqlList, UNFINISHED_STATES } from './sql/state-list.js';

/**
 * Tables are left unqualified: a store's connections set `search_path` to its schema, so one
 * database can hold many independent installations (one per test file, say).
 */

/** SQL list of every state a job can be in (core's JOB_STATES). */
const ALL = sql.raw(sqlList(JOB_STATES));
/** SQL list of the states a worker may claim from (core's RUNNABLE_STATES). */
const RUNNABLE = sql.raw(sqlList(RUNNABLE_STATES));
/** SQL list of the states that hold a unique key (core's UNFINISHED_STATES). */
const UNFINISHED = sql.raw(sqlList(UNFINISHED_STATES));
/** SQL list of the final states (core's FINAL_STATES). */
const FINAL = sql.raw(sqlList(FINAL_STATES));

/** One row per job; see `Job` in @jobs/core for what each column means. */
export const jobs = pgTable(
  'jobs',
  {
    id: bigint('id', { mode: 'bigint' }).primaryKey().generatedAlwaysAsIdentity(),
    queue: text('queue').notNull().default('default'),
    handler: text('handler').notNull(),
    method: text('method').notNull(),
    params: jsonb('params').$type<JsonValue[]>().notNull().default([]),
    priority: integer('priority').notNull().default(0),
    state: text('state').notNull(),
    attempt: integer('attempt').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    runAt: timestamp('run_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'string' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true, mode: 'string' }),
    timeoutMs: integer('timeout_ms'),
    progress: jsonb('progress').$type<JsonValue>(),
    result: jsonb('result').$type<JsonValue>(),
    errors: jsonb('errors').$type<JobError[]>().notNull().default([]),
    errorsDropped: integer('errors_dropped').notNull().default(0),
    logs: jsonb('logs').$type<JobLogLine[]>().notNull().default([]),
    uniqueKey: text('unique_key'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    backoff: jsonb('backoff').$type<RetryPolicy>().notNull(),
    // The schedule and tick that made the job (migration 0010); null for other jobs, and the
    // tick null for a job triggered by hand.
    scheduleName: text('schedule_name'),
    scheduleTick: timestamp('schedule_tick', { withTimezone: true, mode: 'string' }),
    /** Jobs sharing a key run at most the queue's `key_concurrency` at once (migration 0013). */
    concurrencyKey: text('concurrency_key'),
    // The enqueue's OpenTelemetry context (W3C traceparent/tracestate), read by each attempt.
    traceContext: jsonb('trace_context').$type<TraceCarrier>(),
    // True once some job depends on it (a flow's edge names it): only then does finishing it
    // run the flow-settle trigger (migration 0017, see sql/flow-trigger.ts).
    hasDependents: boolean('has_dependents').notNull().default(false),
  },
  (t) => [
    check('jobs_state_check', sql`${t.state} IN (${ALL})`),
    check('jobs_attempt_check', sql`${t.attempt} >= 0 AND ${t.attempt} <= ${t.maxAttempts}`),
    // What rowToJob cannot read is refused on every write. Added NOT VALID by migration 0008
    // (existing rows are not scanned, so a hand-written old row never fails the migration);
    // rowToJob still reads such old rows without throwing.
    check('jobs_params_check', sql`jsonb_typeof(${t.params}) = 'array'`),
    check('jobs_errors_check', sql`jsonb_typeof(${t.errors}) = 'array'`),
    check('jobs_errors_dropped_check', sql`${t.errorsDropped} >= 0`),
    check('jobs_logs_check', sql`jsonb_typeof(${t.logs}) = 'array'`),
    check('jobs_tags_check', sql`array_position(${t.tags}, NULL) IS NULL`),
    check(
      'jobs_backoff_check',
      sql`jsonb_typeof(${t.backoff}) = 'object' AND ${t.backoff}->>'kind' IN ('fixed', 'exponential')`,
    ),
    // The claim reads this index in order and stops after LIMIT rows: no sort, no scan of
    // finished jobs. Its order must match the claim's ORDER BY exactly (DESC = NULLS FIRST).
    // Jobs with a concurrency key are left out (migration 0016): the limited claim reads them
    // from jobs_keyed_waiting_idx, and a backlog of keyed jobs no longer lies in the way of
    // the plain claim, which skipped them one by one.
    index('jobs_claim_idx')
      .on(t.priority.desc().nullsFirst(), t.runAt.asc(), t.id.asc())
      .where(sql`${t.state} IN (${RUNNABLE}) AND ${t.concurrencyKey} IS NULL`),
    // Rescue finds expired leases without looking at anything but running jobs.
    index('jobs_lease_idx')
      .on(t.leaseExpiresAt)
      .where(sql`${t.state} = ${sql.raw(sqlList(['running']))}`),
    // Listing newest first by state (the dashboard's default views).
    index('jobs_state_id_idx').on(t.state, t.id),
    // Listing newest first by queue, and by handler and method (the API's list filters): one
    // index for the jobs waiting to run and one for finished jobs, none for running jobs (few;
    // listed through the state index). A claim then adds no entry to them, and a completion
    // adds one at the end of an index instead of beside the job's earlier entries (measured:
    // 27% less server time per claimed and completed job than one index for all states, and
    // the same insert time). listJobsQuery reads each group of states on its own and merges.
    index('jobs_queue_waiting_id_idx').on(t.queue, t.id).where(sql`${t.state} IN (${RUNNABLE})`),
    index('jobs_queue_final_id_idx').on(t.queue, t.id).where(sql`${t.state} IN (${FINAL})`),
    index('jobs_handler_method_waiting_id_idx')
      .on(t.handler, t.method, t.id)
      .where(sql`${t.state} IN (${RUNNABLE})`),
    index('jobs_handler_method_final_id_idx')
      .on(t.handler, t.method, t.id)
      .where(sql`${t.state} IN (${FINAL})`),
    // Throughput series and metrics read the recently finished jobs only.
    index('jobs_finished_at_idx').on(t.finishedAt).where(sql`${t.finishedAt} IS NOT NULL`),
    // At most one job per schedule and tick, whatever else happens (see schedules.ts).
    uniqueIndex('jobs_schedule_tick_idx')
      .on(t.scheduleName, t.scheduleTick)
      .where(sql`${t.scheduleName} IS NOT NULL`),
    // A schedule's recent jobs, newest first.
    index('jobs_schedule_id_idx')
      .on(t.scheduleName, t.id)
      .where(sql`${t.scheduleName} IS NOT NULL`),
    // The pruner reads each queue's finished jobs of one state oldest first (migration 0012).
    index('jobs_prune_idx').on(t.queue, t.state, t.finishedAt).where(sql`${t.state} IN (${FINAL})`),
    // The waiting jobs that carry a concurrency key, per queue in claim order: the limited
    // claim (claim-limited.ts) finds queues with keyed work here; jobs without a key never
    // enter it, so unlimited queues pay nothing for it.
    index('jobs_keyed_waiting_idx')
      .on(t.queue, t.priority.desc().nullsFirst(), t.runAt.asc(), t.id.asc())
      .where(sql`${t.concurrencyKey} IS NOT NULL AND ${t.state} IN (${RUNNABLE})`),
    // At most one unfinished job per unique key.
    uniqueIndex('jobs_unique_key_idx')
      .on(t.uniqueKey)
      .where(sql`${t.uniqueKey} IS NOT NULL AND ${t.state} IN (${UNFINISHED})`),
    // The jobs of a key, newest first: the lookup of a holder under `uniqueFor`/`uniqueStates`.
    index('jobs_unique_key_created_idx')
      .on(t.uniqueKey, t.createdAt)
      .where(sql`${t.uniqueKey} IS NOT NULL`),
  ],
);

/** Queues that were named or paused; a queue with a row here and `paused` is skipped by claims. */
export const jobQueues = pgTable(
  'job_queues',
  {
    name: text('name').primaryKey(),
    paused: boolean('paused').notNull().default(false),
    /**
     * Retention overrides of this queue, by final state: milliseconds or JSON null (forever);
     * a state left out follows `job_retention` (migration 0012).
     */
    retention: jsonb('retention')
      .$type<Partial<Record<'completed' | 'failed' | 'cancelled', number | null>>>()
      .notNull()
      .default({}),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    // Limits across every worker (see core's queue-limits.ts); null: no such limit.
    /** Most jobs of the queue running at once. */
    concurrency: integer('concurrency'),
    /** Most running jobs per concurrency key (null: core's DEFAULT_KEY_CONCURRENCY). */
    keyConcurrency: integer('key_concurrency'),
    /** Most starts per `rate_period_ms`; both set or both null. */
    rateLimit: integer('rate_limit'),
    ratePeriodMs: integer('rate_period_ms'),
  },
  (t) => [
    check('job_queues_concurrency_check', sql`${t.concurrency} >= 1`),
    check('job_queues_key_concurrency_check', sql`${t.keyConcurrency} >= 1`),
    check(
      'job_queues_rate_check',
      sql`(${t.rateLimit} IS NULL AND ${t.ratePeriodMs} IS NULL) OR (${t.rateLimit} >= 1 AND ${t.ratePeriodMs} >= 1)`,
    ),
  ],
);

/**
 * The recent starts of rate-limited queues, on the database clock: the limited claim counts
 * those inside the window, drops older ones and adds its own, under the queue's claim lock.
 */
export const jobQueueStarts = pgTable(
  'job_queue_starts',
  {
    queue: text('queue').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [index('job_queue_starts_queue_idx').on(t.queue, t.startedAt)],
);

/**
 * The default retention of finished jobs, one row (`id` is always true): milliseconds per final
 * state, NULL keeps forever, 0 deletes at once. Every daemon reads the same row (migration 0012).
 */
export const jobRetention = pgTable(
  'job_retention',
  {
    id: boolean('id').primaryKey().default(true),
    completedMs: bigint('completed_ms', { mode: 'number' }),
    failedMs: bigint('failed_ms', { mode: 'number' }),
    cancelledMs: bigint('cancelled_ms', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    check('job_retention_one_row', sql`${t.id}`),
    check(
      'job_retention_ms_check',
      sql`${t.completedMs} >= 0 AND ${t.failedMs} >= 0 AND ${t.cancelledMs} >= 0`,
    ),
  ],
);

/**
 * Dependencies between jobs (flows): `job_id` waits for `depends_on`. Rows go with either job.
 * The trigger of migration 0014 (sql/flow-trigger.ts) settles dependents as dependencies finish.
 */
export const jobDependencies = pgTable(
  'job_dependencies',
  {
    /** The dependent: the job that waits. */
    jobId: bigint('job_id', { mode: 'bigint' })
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    /** The dependency: the job waited for. */
    dependsOn: bigint('depends_on', { mode: 'bigint' })
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    /** What the dependent does if the dependency fails or is cancelled (core's policies). */
    policy: text('policy').notNull(),
    /** Place of the dependency in the dependent's `dependsOn`, for reading results in order. */
    position: integer('position').notNull(),
    /** The dependency's key in the flow that enqueued both, or null. */
    dependsOnKey: text('depends_on_key'),
    /** True while this dependency's failure or cancellation keeps the dependent cancelled. */
    cancelled: boolean('cancelled').notNull().default(false),
    /** True once the dependency finished and was counted off the dependent's `pending`. */
    settled: boolean('settled').notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.jobId, t.dependsOn] }),
    index('job_dependencies_depends_on_idx').on(t.dependsOn),
    check(
      'job_dependencies_policy_check',
      sql`${t.policy} IN (${sql.raw(DEPENDENCY_POLICIES.map((p) => `'${p}'`).join(', '))})`,
    ),
  ],
);

/**
 * How many dependencies of a job are not settled yet: one row per job that has dependencies.
 * The statement that settles the last one brings it to 0 and releases the job; concurrent
 * completions serialize on this row, so exactly one sees 0 (see sql/flow-trigger.ts).
 */
export const jobDependencyCounts = pgTable(
  'job_dependency_counts',
  {
    jobId: bigint('job_id', { mode: 'bigint' })
      .primaryKey()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    pending: integer('pending').notNull(),
  },
  (t) => [check('job_dependency_counts_pending_check', sql`${t.pending} >= 0`)],
);

/** A `jobs` row as drizzle reads it. */
export type JobRow = typeof jobs.$inferSelect;

/** One row per schedule (migration 0010); see `Schedule` in @jobs/core for each column. */
export const schedules = pgTable(
  'schedules',
  {
    name: text('name').primaryKey(),
    cron: text('cron').notNull(),
    timezone: text('timezone').notNull().default('UTC'),
    handler: text('handler').notNull(),
    method: text('method').notNull(),
    params: jsonb('params').$type<JsonValue[]>().notNull().default([]),
    options: jsonb('options').$type<{ [key: string]: JsonValue }>().notNull().default({}),
    catchUp: text('catch_up').notNull().default('last'),
    enabled: boolean('enabled').notNull().default(true),
    source: text('source').notNull(),
    removedAt: timestamp('removed_at', { withTimezone: true, mode: 'string' }),
    lastTick: timestamp('last_tick', { withTimezone: true, mode: 'string' }),
    nextTick: timestamp('next_tick', { withTimezone: true, mode: 'string' }),
    lastError: text('last_error'),
    lastFiredBy: text('last_fired_by'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    check('schedules_catch_up_check', sql`${t.catchUp} IN ('none', 'last', 'all')`),
    check('schedules_source_check', sql`${t.source} IN ('config', 'api')`),
    check('schedules_params_check', sql`jsonb_typeof(${t.params}) = 'array'`),
    check('schedules_options_check', sql`jsonb_typeof(${t.options}) = 'object'`),
    // The scheduler's question: which active schedules are due first.
    index('schedules_due_idx')
      .on(t.nextTick)
      .where(sql`${t.enabled} AND ${t.removedAt} IS NULL AND ${t.nextTick} IS NOT NULL`),
  ],
);

/** A `schedules` row as drizzle reads it. */
export type ScheduleRow = typeof schedules.$inferSelect;
