import { FINAL_STATES, type QueueInfo, RUNNABLE_STATES } from '@jobs/core';
import type { Connection } from '../connection.js';
import { sqlList } from './state-list.js';

/**
 * True when queue `name` (an SQL expression) has a job in any state. One probe per group of
 * states, so that each reads the index that serves it: the waiting and the finished jobs' queue
 * indexes, and the state index for the few running jobs.
 */
function hasJobs(name: string): string {
  return `(EXISTS (SELECT 1 FROM jobs WHERE queue = ${name} AND state IN (${sqlList(RUNNABLE_STATES)}))
    OR EXISTS (SELECT 1 FROM jobs WHERE queue = ${name} AND state IN (${sqlList(FINAL_STATES)}))
    OR EXISTS (SELECT 1 FROM jobs WHERE queue = ${name} AND state IN (${sqlList(['running'])})))`;
}

const LIST = `SELECT q.name, q.paused FROM job_queues q
  WHERE q.paused OR ${hasJobs('q.name')} ORDER BY q.name`;

/** Queues that are paused or have jobs, by name; an empty, resumed queue is left out. */
export async function listQueues(c: Connection): Promise<QueueInfo[]> {
  return c.sql.unsafe<QueueInfo[]>(LIST, [], { prepare: true });
}

// A queue is known when it has a row (a job was inserted into it, or it was paused) or jobs;
// $3 (create) lets a caller pause a queue before its first job.
const SET_PAUSED = `INSERT INTO job_queues (name, paused)
  SELECT $1::text, $2::boolean
   WHERE $3::boolean OR EXISTS (SELECT 1 FROM job_queues WHERE name = $1::text) OR ${hasJobs('$1::text')}
  ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now()
  RETURNING name, paused`;

/**
 * Sets a known queue's paused flag; null, and nothing written, for an unknown queue unless
 * `create` (then the queue is created with the flag).
 */
export async function setQueuePaused(
  c: Connection,
  name: string,
  paused: boolean,
  create = false,
): Promise<QueueInfo | null> {
  const [row] = await c.sql.unsafe<QueueInfo[]>(SET_PAUSED, [name, paused, create], {
    prepare: true,
  });
  if (row === undefined) return null;
  if (!paused) await c.sql`SELECT pg_notify(${c.channel}, '{"type":"inserted"}')`;
  return row;
}
