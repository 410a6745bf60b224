import {
  type AttemptRef,
  type FailureOutcome,
  type Job,
  type JobError,
  transition,
} from '@jobs/core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { JOB_COLUMNS_SQL, rowToJob } from '../rows.js';
import type { JobRow } from '../schema.js';
import { failJobs, RUNNING_GUARD } from './finish.js';

/** Extends the leases `workerId` holds on these attempts, in one statement; returns those kept. */
export async function renewLeases(
  c: Connection,
  params: {
    readonly workerId: string;
    readonly jobs: readonly AttemptRef[];
    readonly leaseMs: number;
  },
): Promise<AttemptRef[]> {
  if (params.jobs.length === 0) return [];
  const rows = await c.sql.unsafe<{ id: string; attempt: number }[]>(
    `UPDATE jobs j SET lease_expires_at = now() + $4 * interval '1 millisecond'
       FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::int[]) AS attempt) v
      WHERE j.id = v.id AND j.attempt = v.attempt AND ${RUNNING_GUARD} AND j.lease_owner = $3
      RETURNING j.id::text AS id, j.attempt`,
    [
      pgArray(params.jobs.map((j) => j.id)),
      pgArray(params.jobs.map((j) => j.attempt)),
      params.workerId,
      params.leaseMs,
    ],
    { prepare: true },
  );
  return rows.map((r) => ({ id: r.id, attempt: r.attempt }));
}

/** The message recorded on an attempt whose worker stopped renewing its lease. */
export const WORKER_LOST_MESSAGE = 'worker lost: the lease expired before the attempt finished';

/**
 * Takes back running jobs whose lease expired. One process at a time (a transaction-scoped
 * advisory lock elects it); each attempt is failed as "worker lost" and the job goes to
 * `retrying` or `failed` as core's state machine decides.
 */
export async function rescueExpiredLeases(
  c: Connection,
  params: { readonly limit: number; readonly random: () => number },
): Promise<Job[]> {
  return c.sql.begin(async (tx) => {
    const lockKey = `jobs:rescue:${c.schema}`;
    const [lock] = await tx<
      { ok: boolean }[]
    >`SELECT pg_try_advisory_xact_lock(hashtext(${lockKey})) AS ok`;
    if (lock?.ok !== true) return [];
    const expired = await tx.unsafe<JobRow[]>(
      `SELECT ${JOB_COLUMNS_SQL} FROM jobs j
        WHERE j.state = 'running' AND j.lease_expires_at < now()
        ORDER BY j.lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [params.limit],
    );
    if (expired.length === 0) return [];
    const at = new Date().toISOString();
    const failures = expired.map(rowToJob).map((job) => {
      const next = transition(job, {
        type: 'lease-expired',
        backoff: job.backoff,
        random: params.random(),
      });
      const outcome: FailureOutcome =
        next.to === 'retrying'
          ? { state: 'retrying', delayMs: next.runAfterMs ?? 0 }
          : { state: 'failed' };
      const error: JobError = {
        attempt: job.attempt,
        message: WORKER_LOST_MESSAGE,
        name: 'WorkerLostError',
        at,
        ...(job.leaseOwner === null ? {} : { workerId: job.leaseOwner }),
      };
      return { id: job.id, attempt: job.attempt, owner: job.leaseOwner ?? '', error, outcome };
    });
    const done = await failJobs(tx, failures);
    if (done.length === 0) return [];
    const rows = await tx.unsafe<JobRow[]>(
      `SELECT ${JOB_COLUMNS_SQL} FROM jobs j WHERE j.id = ANY($1::bigint[]) ORDER BY j.id`,
      [pgArray(done)],
    );
    return rows.map(rowToJob);
  });
}
