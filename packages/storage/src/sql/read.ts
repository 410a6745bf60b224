import {
  JOB_STATES,
  type Job,
  type JobCounts,
  type JobListParams,
  type JobPage,
  type JobState,
  ValidationError,
  validateJobId,
} from '@jobs/core';
import { and, asc, desc, eq, gt, gte, ilike, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Connection } from '../connection.js';
import { rowToJob } from '../rows.js';
import { jobs } from '../schema.js';

/** One job by id, or null. */
export async function getJob(c: Connection, id: string): Promise<Job | null> {
  const [row] = await c.db
    .select()
    .from(jobs)
    .where(eq(jobs.id, BigInt(validateJobId(id))))
    .limit(1);
  return row === undefined ? null : rowToJob(row);
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof value === 'object' &&
      value !== null &&
      'id' in value &&
      typeof value.id === 'string' &&
      /^[1-9]\d{0,18}$/.test(value.id)
    ) {
      return value.id;
    }
  } catch {
    // falls through to the error below
  }
  throw new ValidationError('cursor', 'is not a cursor this server handed out');
}

/** Escapes LIKE wildcards so the search text matches literally. */
function likeLiteral(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/**
 * The page query of `listJobs` (one row more than the page, to tell whether another follows).
 * Its first page reads an index in id order and stops at the limit: the primary key, or for a
 * rare state, queue, or handler and method the (state, id), (queue, id) or
 * (handler, method, id) index; see test/list-plan.test.ts.
 */
export function listJobsQuery(c: Connection, params: JobListParams) {
  const order = params.order ?? 'desc';
  const where: (SQL | undefined)[] = [];
  if (params.states !== undefined && params.states.length > 0) {
    where.push(inArray(jobs.state, [...params.states]));
  }
  if (params.queues !== undefined && params.queues.length > 0) {
    where.push(inArray(jobs.queue, [...params.queues]));
  }
  if (params.handler !== undefined) where.push(eq(jobs.handler, params.handler));
  if (params.method !== undefined) where.push(eq(jobs.method, params.method));
  if (params.createdFrom !== undefined) {
    where.push(gte(jobs.createdAt, params.createdFrom.toISOString()));
  }
  if (params.createdTo !== undefined) {
    where.push(lt(jobs.createdAt, params.createdTo.toISOString()));
  }
  if (params.search !== undefined && params.search !== '') {
    const pattern = likeLiteral(params.search);
    where.push(
      or(ilike(sql`${jobs.params}::text`, pattern), ilike(sql`${jobs.errors}::text`, pattern)),
    );
  }
  if (params.cursor !== undefined) {
    const after = decodeCursor(params.cursor);
    const afterId = BigInt(after);
    where.push(order === 'desc' ? lt(jobs.id, afterId) : gt(jobs.id, afterId));
  }
  return c.db
    .select()
    .from(jobs)
    .where(and(...where))
    .orderBy(order === 'desc' ? desc(jobs.id) : asc(jobs.id))
    .limit(params.limit + 1);
}

/** A filtered page, ordered by id; the cursor is the last id seen. */
export async function listJobs(c: Connection, params: JobListParams): Promise<JobPage> {
  const rows = await listJobsQuery(c, params);
  const page = rows.slice(0, params.limit).map(rowToJob);
  const last = page.at(-1);
  return {
    jobs: page,
    nextCursor: rows.length > params.limit && last !== undefined ? encodeCursor(last.id) : null,
  };
}

function zeroCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

/** Counts by state, overall and per queue, in one grouped read. */
export async function countJobs(c: Connection): Promise<JobCounts> {
  const rows = await c.db
    .select({ queue: jobs.queue, state: jobs.state, count: sql<number>`count(*)::int` })
    .from(jobs)
    .groupBy(jobs.queue, jobs.state)
    .orderBy(jobs.queue);
  const byState = zeroCounts();
  const perQueue = new Map<string, Record<JobState, number>>();
  for (const row of rows) {
    const state = row.state as JobState;
    byState[state] += row.count;
    let counts = perQueue.get(row.queue);
    if (counts === undefined) {
      counts = zeroCounts();
      perQueue.set(row.queue, counts);
    }
    counts[state] += row.count;
  }
  return {
    byState,
    byQueue: [...perQueue].map(([queue, counts]) => ({ queue, byState: counts })),
  };
}
