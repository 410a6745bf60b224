import {
  FINAL_STATES,
  JOB_STATES,
  type Job,
  type JobCounts,
  type JobListParams,
  type JobPage,
  type JobState,
  RUNNABLE_STATES,
  ValidationError,
  validateJobId,
} from '@jobs/core';
import { and, asc, desc, eq, gt, gte, ilike, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { rowToJob } from '../rows.js';
import { jobs } from '../schema.js';
import { sqlList } from './state-list.js';

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

/** The states the queue and handler list indexes cover (see schema.ts). */
const INDEXED_STATES: ReadonlySet<JobState> = new Set([...RUNNABLE_STATES, ...FINAL_STATES]);

/**
 * The groups of states the list indexes cover apart: waiting to run, final, and the rest
 * (running: few, the state index lists them). Together every state.
 */
export const STATE_GROUPS: readonly {
  readonly states: readonly JobState[];
  /** The queue and handler list indexes cover these states. */
  readonly indexed: boolean;
}[] = [
  { states: RUNNABLE_STATES, indexed: true },
  { states: JOB_STATES.filter((s) => !INDEXED_STATES.has(s)), indexed: false },
  { states: FINAL_STATES, indexed: true },
];

/**
 * The page query of `listJobs` (one row more than the page, to tell whether another follows).
 * Its first page reads an index in order and stops at the limit: the primary key, or the
 * (state, id) index for a rare state. A filter by one queue, or by a handler and method, reads
 * each group of states (STATE_GROUPS) on its own and merges their pages: waiting and final
 * jobs from their group's index, running jobs through the state index. The groups' states are
 * written into the statement, so that a prepared statement's generic plan still matches the
 * partial indexes. See test/list-plan.test.ts.
 */
export function listJobsQuery(c: Connection, params: JobListParams) {
  const order = params.order ?? 'desc';
  const dir = order === 'desc' ? desc : asc;
  const common: (SQL | undefined)[] = [];
  if (params.createdFrom !== undefined) {
    common.push(gte(jobs.createdAt, params.createdFrom.toISOString()));
  }
  if (params.createdTo !== undefined) {
    common.push(lt(jobs.createdAt, params.createdTo.toISOString()));
  }
  if (params.search !== undefined && params.search !== '') {
    const pattern = likeLiteral(params.search);
    common.push(
      or(ilike(sql`${jobs.params}::text`, pattern), ilike(sql`${jobs.errors}::text`, pattern)),
    );
  }
  if (params.cursor !== undefined) {
    const after = BigInt(decodeCursor(params.cursor));
    common.push(order === 'desc' ? lt(jobs.id, after) : gt(jobs.id, after));
  }
  const queues = params.queues !== undefined && params.queues.length > 0 ? params.queues : null;
  const byQueue = queues === null ? undefined : inArray(jobs.queue, [...queues]);
  const byHandler = params.handler === undefined ? undefined : eq(jobs.handler, params.handler);
  const byMethod = params.method === undefined ? undefined : eq(jobs.method, params.method);
  const states = params.states !== undefined && params.states.length > 0 ? params.states : null;
  const limit = params.limit + 1;

  // A group's own index in order: its leading columns compared with = ANY, which keeps them in
  // the sort key (a column equal to a constant drops out of it, and then the primary key walked
  // past newer jobs of other states gives the same order). One value: the same order as by id.
  let pinned: { readonly where: SQL[]; readonly orderBy: SQL[] } | null = null;
  if (params.handler !== undefined && params.method !== undefined) {
    pinned = {
      where: [
        sql`${jobs.handler} = ANY(${pgArray([params.handler])}::text[])`,
        eq(jobs.method, params.method),
      ],
      orderBy: [dir(jobs.handler), dir(jobs.method), dir(jobs.id)],
    };
    if (byQueue !== undefined) pinned.where.push(byQueue);
  } else if (queues?.length === 1) {
    pinned = {
      where: [sql`${jobs.queue} = ANY(${pgArray(queues)}::text[])`],
      orderBy: [dir(jobs.queue), dir(jobs.id)],
    };
    if (byHandler !== undefined) pinned.where.push(byHandler);
    if (byMethod !== undefined) pinned.where.push(byMethod);
  }
  const groups = STATE_GROUPS.map((group) => ({
    indexed: group.indexed,
    states: group.states.filter((state) => states === null || states.includes(state)),
  })).filter((group) => group.states.length > 0);
  const [firstGroup, ...moreGroups] = groups;
  // (No group: only states no job can be in were asked for, and the plain query finds none.)
  if (pinned === null || firstGroup === undefined) {
    const where = [...common, byQueue, byHandler, byMethod];
    if (states !== null) where.push(inArray(jobs.state, [...states]));
    return c.db
      .select()
      .from(jobs)
      .where(and(...where))
      .orderBy(dir(jobs.id))
      .limit(limit);
  }
  const { where: pinnedWhere, orderBy: pinnedOrder } = pinned;
  const branch = (group: (typeof groups)[number]) => {
    const inGroup = sql`${jobs.state} IN (${sql.raw(sqlList(group.states))})`;
    const query = c.db.select().from(jobs);
    return group.indexed
      ? query
          .where(and(...common, ...pinnedWhere, inGroup))
          .orderBy(...pinnedOrder)
          .limit(limit)
      : query
          .where(and(...common, byQueue, byHandler, byMethod, inGroup))
          .orderBy(dir(jobs.id))
          .limit(limit);
  };
  const [second, ...rest] = moreGroups.map(branch);
  if (second === undefined) return branch(firstGroup);
  return unionAll(branch(firstGroup), second, ...rest)
    .orderBy(order === 'desc' ? sql`id DESC` : sql`id ASC`)
    .limit(limit);
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
