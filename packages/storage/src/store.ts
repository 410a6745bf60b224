import {
  type JobRetentionStore,
  type JobStatsStore,
  type JobStore,
  type ScheduleStore,
  type TransactionStore,
  validateJobId,
  validateQueueLimitsPatch,
  validateQueueName,
} from '@jobs/core';
import { callerRunner } from './caller-transaction.js';
import { type Connection, type ConnectionOptions, openConnection } from './connection.js';
import { mapped } from './errors.js';
import { claimJobs } from './sql/claim.js';
import { listenEvents } from './sql/events.js';
import { completeJobs, failJobs, releaseJobs } from './sql/finish.js';
import { flowDependencyList, flowGet, flowInsert, flowInsertOnCaller } from './sql/flow-store.js';
import { callerTarget, insertJobChunks, insertJobs, insertJobsOn } from './sql/insert.js';
import { renewLeases, rescueExpiredLeases } from './sql/lease.js';
import { cancelJobs, deleteJobs, retryJobs, setJobProgress } from './sql/manage.js';
import { pruneJobs } from './sql/prune.js';
import { listQueueUsage, queueLimitWait, setQueueLimits } from './sql/queue-limits.js';
import { listQueues, setQueuePaused } from './sql/queues.js';
import { countJobs, getJob, listJobs } from './sql/read.js';
import { getRetention, setRetention } from './sql/retention.js';
import { jobFinishedSummary, jobThroughput, queueLag } from './sql/stats.js';
import { jobTableStats } from './sql/table-stats.js';
import { scheduleMethods } from './store-schedules.js';

/** The PostgreSQL JobStore: the port's methods, the stats reads, and the pool they run on. */
export interface PgJobStore
  extends JobStore,
    JobStatsStore,
    ScheduleStore,
    JobRetentionStore,
    AsyncDisposable {
  /** Large batches stream in by COPY (sql/insert-copy.ts). */
  jobInsertStream: NonNullable<JobStore['jobInsertStream']>;
  /** Flows: this store holds dependencies between jobs. */
  flowInsert: NonNullable<JobStore['flowInsert']>;
  flowGet: NonNullable<JobStore['flowGet']>;
  dependencyList: NonNullable<JobStore['dependencyList']>;
  /** The pool, for callers that need drizzle or raw SQL on the same connections. */
  readonly connection: Connection;
  /**
   * The insert on a caller's open transaction (a `CallerTransaction`: postgres-js
   * TransactionSql, a drizzle transaction, or anything with `query(text, values)`), with table
   * names qualified by this store's schema; never one of this store's connections.
   */
  withExecutor(executor: unknown): TransactionStore;
  /** See `JobStore.queueLimitWait`: this store always answers it. */
  queueLimitWait(params: { readonly queues: readonly string[] | null }): Promise<number | null>;
  /** Closes every connection (waiting up to 5 s for queries under way). */
  close(): Promise<void>;
}

/** Opens a pool on `url` (tables in `schema`) and serves the JobStore port over it. */
export function createPgStore(options: ConnectionOptions): PgJobStore {
  const c = openConnection(options);
  const close = () => c.sql.end({ timeout: 5 });
  return {
    connection: c,
    jobInsert: ({ jobs }) => mapped(() => insertJobs(c, jobs)),
    jobInsertStream: ({ count, chunks }) => mapped(() => insertJobChunks(c, count, chunks)),
    withExecutor(tx) {
      const target = callerTarget(c.schema, callerRunner(tx));
      return {
        jobInsert: ({ jobs }) => mapped(() => insertJobsOn(target, jobs)),
        flowInsert: (flow) => mapped(() => flowInsertOnCaller(c, tx, flow)),
      };
    },
    jobGet: ({ id }) => mapped(() => getJob(c, id)),
    jobList: (params) => mapped(() => listJobs(c, params)),
    jobCancel: ({ ids }) => mapped(() => cancelJobs(c, checkedIds(ids))),
    jobRetry: ({ ids }) => mapped(() => retryJobs(c, checkedIds(ids))),
    jobDelete: ({ ids }) => mapped(() => deleteJobs(c, checkedIds(ids))),
    jobClaim: (params) => mapped(() => claimJobs(c, params)),
    jobComplete: ({ workerId, jobs }) => mapped(() => completeJobs(c, workerId, jobs)),
    jobFail: ({ workerId, jobs }) =>
      mapped(() =>
        failJobs(
          c.sql,
          jobs.map((job) => ({ ...job, owner: workerId })),
        ),
      ),
    jobRelease: ({ workerId, jobs }) => mapped(() => releaseJobs(c, workerId, jobs)),
    jobProgressSet: (params) =>
      mapped(() => setJobProgress(c, { ...params, id: validateJobId(params.id) })),
    jobCount: () => mapped(() => countJobs(c)),
    leaseRenew: (params) => mapped(() => renewLeases(c, params)),
    leaseRescue: (params) => mapped(() => rescueExpiredLeases(c, params)),
    queueList: () => mapped(() => listQueues(c)),
    queuePause: ({ name, create }) => mapped(() => setQueuePaused(c, name, true, create)),
    queueResume: ({ name }) => mapped(() => setQueuePaused(c, name, false)),
    queueLimitsSet: ({ name, limits }) =>
      mapped(() =>
        setQueueLimits(c, validateQueueName(name, 'name'), validateQueueLimitsPatch(limits)),
      ),
    queueUsageList: () => mapped(() => listQueueUsage(c)),
    queueLimitWait: ({ queues }) => mapped(() => queueLimitWait(c, queues)),
    eventListen: (listener) => mapped(() => listenEvents(c, listener)),
    flowInsert: (flow) => mapped(() => flowInsert(c, flow)),
    flowGet: ({ id, limit }) => mapped(() => flowGet(c, validateJobId(id), limit)),
    dependencyList: ({ id }) => mapped(() => flowDependencyList(c, validateJobId(id))),
    jobThroughput: ({ minutes }) => mapped(() => jobThroughput(c, minutes)),
    jobFinishedSummary: (params) => mapped(() => jobFinishedSummary(c, params)),
    queueLag: () => mapped(() => queueLag(c)),
    ...scheduleMethods(c),
    retentionGet: () => mapped(() => getRetention(c)),
    retentionSet: ({ settings }) => mapped(() => setRetention(c, settings)),
    jobPrune: (params) => mapped(() => pruneJobs(c, params)),
    jobTableStats: () => mapped(() => jobTableStats(c)),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The ids, each checked (a bad one is a ValidationError naming `ids.N`, not a database error). */
function checkedIds(ids: readonly string[]): readonly string[] {
  for (const [index, id] of ids.entries()) validateJobId(id, `ids.${index}`);
  return ids;
}
