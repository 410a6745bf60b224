import {
  type Job,
  type JsonValue,
  nextTick,
  planTicks,
  type Schedule,
  type ScheduleChange,
  type ScheduleFireResult,
  type ScheduleJobMaker,
  type ScheduleSource,
  type ScheduleSpec,
  ValidationError,
} from '@jobs/core';
import type postgres from 'postgres';
import { callerRunner } from '../caller-transaction.js';
import type { Connection } from '../connection.js';
import { pgArray } from '../pg-array.js';
import { JOB_COLUMNS_SQL, rowToJob, toDate } from '../rows.js';
import type { JobRow } from '../schema.js';
import { callerTarget, insertJobsOn } from './insert.js';

/**
 * Schedules: how the database decides who enqueues a tick.
 *
 * A scheduler (every daemon running a worker) repeatedly takes the most overdue active
 * schedule with `FOR UPDATE SKIP LOCKED`, so no two processes ever hold one schedule. Within
 * that transaction it plans the due ticks (core's `planTicks`, on the database's clock),
 * inserts one job per tick, records each job's schedule and tick, and moves `last_tick` and
 * `next_tick` on. All of it commits together: a process that dies before the commit leaves
 * the row as it was (PostgreSQL rolls back and releases the lock), and the next scheduler to
 * look enqueues those ticks; after the commit, `next_tick` is past them and nobody enqueues
 * them again. The unique index on `jobs (schedule_name, schedule_tick)` backs this up.
 */

type Tx = postgres.TransactionSql;

const COLUMNS = `name, cron, timezone, handler, method, params, options, catch_up AS "catchUp",
  enabled, source, removed_at AS "removedAt", last_tick AS "lastTick", next_tick AS "nextTick",
  last_error AS "lastError", last_fired_by AS "lastFiredBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

interface Row {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly handler: string;
  readonly method: string;
  readonly params: JsonValue[];
  readonly options: { [key: string]: JsonValue };
  readonly catchUp: string;
  readonly enabled: boolean;
  readonly source: string;
  readonly removedAt: string | Date | null;
  readonly lastTick: string | Date | null;
  readonly nextTick: string | Date | null;
  readonly lastError: string | null;
  readonly lastFiredBy: string | null;
  readonly createdAt: string | Date;
  readonly updatedAt: string | Date;
}

const maybeDate = (value: string | Date | null) => (value === null ? null : toDate(value));

/** Maps one row to the domain type. */
export function rowToSchedule(row: Row): Schedule {
  const removedAt = maybeDate(row.removedAt);
  return {
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    handler: row.handler,
    method: row.method,
    params: row.params,
    options: row.options,
    catchUp: row.catchUp as Schedule['catchUp'],
    enabled: row.enabled,
    source: row.source as ScheduleSource,
    removedAt,
    status: removedAt !== null ? 'removed' : row.enabled ? 'active' : 'paused',
    lastTick: maybeDate(row.lastTick),
    nextTick: maybeDate(row.nextTick),
    lastError: row.lastError,
    lastFiredBy: row.lastFiredBy,
    createdAt: toDate(row.createdAt),
    updatedAt: toDate(row.updatedAt),
  };
}

async function run<T>(
  sql: postgres.Sql | Tx,
  text: string,
  params: readonly unknown[],
): Promise<T[]> {
  return [
    ...(await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })),
  ] as T[];
}

async function dbNow(tx: Tx): Promise<Date> {
  const [row] = await run<{ now: Date | string }>(tx, 'SELECT now() AS now', []);
  return toDate((row as { now: Date | string }).now);
}

async function lockOne(tx: Tx, name: string): Promise<Row | undefined> {
  const [row] = await run<Row>(tx, `SELECT ${COLUMNS} FROM schedules WHERE name = $1 FOR UPDATE`, [
    name,
  ]);
  return row;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

const UPSERT = `INSERT INTO schedules AS s (name, cron, timezone, handler, method, params, options,
    catch_up, enabled, source, next_tick)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11::timestamptz)
  ON CONFLICT (name) DO UPDATE SET cron = EXCLUDED.cron, timezone = EXCLUDED.timezone,
    handler = EXCLUDED.handler, method = EXCLUDED.method, params = EXCLUDED.params,
    options = EXCLUDED.options, catch_up = EXCLUDED.catch_up, enabled = EXCLUDED.enabled,
    source = EXCLUDED.source, next_tick = EXCLUDED.next_tick, removed_at = NULL,
    last_error = NULL, updated_at = now()
  RETURNING ${COLUMNS}`;

/**
 * Writes `spec` over the row `existing` (or a new row): the next tick moves to the first after
 * now when the timing changed (cron, timezone), when it is (re)enabled or declared again after
 * removal, or for a new schedule; otherwise it stays, so that ticks missed while every daemon
 * was down are caught up.
 */
async function write(
  tx: Tx,
  spec: ScheduleSpec,
  source: ScheduleSource,
  existing: Row | undefined,
): Promise<Schedule> {
  const enabled = spec.enabled ?? existing?.enabled ?? true;
  const restart =
    existing === undefined ||
    existing.cron !== spec.cron ||
    existing.timezone !== spec.timezone ||
    existing.removedAt !== null ||
    (enabled && !existing.enabled);
  const next = restart
    ? nextTick(spec.cron, spec.timezone, await dbNow(tx))
    : maybeDate(existing.nextTick);
  const [row] = await run<Row>(tx, UPSERT, [
    spec.name,
    spec.cron,
    spec.timezone,
    spec.handler,
    spec.method,
    JSON.stringify(spec.params),
    JSON.stringify(spec.options),
    spec.catchUp,
    enabled,
    source,
    iso(next),
  ]);
  return rowToSchedule(row as Row);
}

/** Upserts the config's schedules and marks config schedules no longer declared as removed. */
export async function syncSchedules(
  c: Connection,
  specs: readonly ScheduleSpec[],
): Promise<{ removed: string[] }> {
  return c.sql.begin(async (tx) => {
    // Daemons starting together apply their configs one after the other.
    await run(
      tx,
      `SELECT pg_advisory_xact_lock(hashtext('jobs.schedules.sync:' || current_schema()))`,
      [],
    );
    for (const spec of specs) await write(tx, spec, 'config', await lockOne(tx, spec.name));
    const removed = await run<{ name: string }>(
      tx,
      `UPDATE schedules SET removed_at = now(), updated_at = now()
        WHERE source = 'config' AND removed_at IS NULL AND NOT (name = ANY($1::text[]))
        RETURNING name`,
      [pgArray(specs.map((s) => s.name))],
    );
    return { removed: removed.map((r) => r.name).sort() };
  }) as Promise<{ removed: string[] }>;
}

export async function listSchedules(c: Connection): Promise<Schedule[]> {
  return (await run<Row>(c.sql, `SELECT ${COLUMNS} FROM schedules ORDER BY name`, [])).map(
    rowToSchedule,
  );
}

export async function getSchedule(c: Connection, name: string): Promise<Schedule | null> {
  const [row] = await run<Row>(c.sql, `SELECT ${COLUMNS} FROM schedules WHERE name = $1`, [name]);
  return row === undefined ? null : rowToSchedule(row);
}

function inTransaction(
  c: Connection,
  fn: (tx: Tx) => Promise<ScheduleChange>,
): Promise<ScheduleChange> {
  return c.sql.begin(fn) as Promise<ScheduleChange>;
}

const notFound: ScheduleChange = { ok: false, reason: 'not_found' };
const fromConfig: ScheduleChange = { ok: false, reason: 'config' };

export function createSchedule(c: Connection, spec: ScheduleSpec): Promise<ScheduleChange> {
  return inTransaction(c, async (tx) => {
    if ((await lockOne(tx, spec.name)) !== undefined) return { ok: false, reason: 'exists' };
    try {
      return { ok: true, schedule: await write(tx, spec, 'api', undefined) };
    } catch (error) {
      // Another request created it meanwhile.
      if ((error as { code?: string }).code === '23505') return { ok: false, reason: 'exists' };
      throw error;
    }
  });
}

/** A config schedule still declared is the config's to change. */
const ownedByConfig = (row: Row) => row.source === 'config' && row.removedAt === null;

export function replaceSchedule(c: Connection, spec: ScheduleSpec): Promise<ScheduleChange> {
  return inTransaction(c, async (tx) => {
    const row = await lockOne(tx, spec.name);
    if (row === undefined) return notFound;
    if (ownedByConfig(row)) return fromConfig;
    return { ok: true, schedule: await write(tx, spec, 'api', row) };
  });
}

export function deleteSchedule(c: Connection, name: string): Promise<ScheduleChange> {
  return inTransaction(c, async (tx) => {
    const row = await lockOne(tx, name);
    if (row === undefined) return notFound;
    if (ownedByConfig(row)) return fromConfig;
    await run(tx, 'DELETE FROM schedules WHERE name = $1', [name]);
    return { ok: true, schedule: rowToSchedule(row) };
  });
}

/** Pauses or resumes; a resumed schedule starts again from its first tick after now. */
export function setScheduleEnabled(
  c: Connection,
  name: string,
  enabled: boolean,
): Promise<ScheduleChange> {
  return inTransaction(c, async (tx) => {
    const row = await lockOne(tx, name);
    if (row === undefined) return notFound;
    const next =
      enabled && !row.enabled
        ? nextTick(row.cron, row.timezone, await dbNow(tx))
        : maybeDate(row.nextTick);
    const [updated] = await run<Row>(
      tx,
      `UPDATE schedules SET enabled = $2, next_tick = $3::timestamptz, updated_at = now()
        WHERE name = $1 RETURNING ${COLUMNS}`,
      [name, enabled, iso(next)],
    );
    return { ok: true, schedule: rowToSchedule(updated as Row) };
  });
}

/**
 * Inserts `jobs` (one per tick, in order) on `tx` and records each new job's schedule and
 * tick. A job the insert did not create (its unique key was held by another job) is left as it
 * was. Returns the jobs with their schedule.
 */
async function insertForTicks(
  c: Connection,
  tx: Tx,
  name: string,
  jobs: Parameters<typeof insertJobsOn>[1],
  ticks: readonly (Date | null)[],
): Promise<Job[]> {
  const inserted = await insertJobsOn(callerTarget(c.schema, callerRunner(tx)), jobs);
  const tagged = await run<{ id: string }>(
    tx,
    `UPDATE jobs j SET schedule_name = $1, schedule_tick = t.tick
       FROM unnest($2::bigint[], $3::timestamptz[]) AS t(id, tick)
      WHERE j.id = t.id AND j.schedule_name IS NULL AND j.created_at = now()
      RETURNING j.id::text AS id`,
    [name, pgArray(inserted.map((j) => j.id)), pgArray(ticks.map(iso))],
  );
  const ours = new Set(tagged.map((r) => r.id));
  return inserted.map((job, i) =>
    ours.has(job.id) ? { ...job, schedule: { name, tick: ticks[i] ?? null } } : job,
  );
}

/** Enqueues one job of schedule `name` now, its tick recorded as null (triggered by hand). */
export async function triggerSchedule(
  c: Connection,
  name: string,
  make: ScheduleJobMaker,
): Promise<Job | null> {
  return c.sql.begin(async (tx) => {
    const [row] = await run<Row>(tx, `SELECT ${COLUMNS} FROM schedules WHERE name = $1`, [name]);
    if (row === undefined) return null;
    const job = await make(rowToSchedule(row));
    const [made] = await insertForTicks(c, tx, name, [job], [null]);
    return made ?? null;
  }) as Promise<Job | null>;
}

const TAKE_DUE = `SELECT ${COLUMNS}, clock_timestamp() AS now FROM schedules
  WHERE enabled AND removed_at IS NULL AND next_tick IS NOT NULL AND next_tick <= clock_timestamp()
  ORDER BY next_tick LIMIT 1 FOR UPDATE SKIP LOCKED`;

const NEXT_DUE = `SELECT (extract(epoch FROM min(next_tick) - clock_timestamp()) * 1000)::float8 AS ms
  FROM schedules WHERE enabled AND removed_at IS NULL AND next_tick IS NOT NULL`;

/** Most schedules handled in one pass (the rest wait for the next one). */
const MAX_PER_PASS = 1000;

/**
 * Enqueues the due ticks of every active schedule no other process holds, one schedule per
 * transaction (see the comment at the top). A tick whose job cannot be made (its handler or
 * params no longer pass this process's allow-list) is recorded as the schedule's `lastError`
 * and passed over, so that one broken schedule does not stop the others.
 */
export async function fireSchedules(
  c: Connection,
  make: ScheduleJobMaker,
  by: string,
): Promise<ScheduleFireResult> {
  let enqueued = 0;
  for (let pass = 0; pass < MAX_PER_PASS; pass++) {
    const made = (await c.sql.begin(async (tx) => {
      const [row] = await run<Row & { now: string | Date }>(tx, TAKE_DUE, []);
      if (row === undefined) return null;
      const schedule = rowToSchedule(row);
      const plan = planTicks(schedule, toDate(row.now));
      let lastError: string | null = null;
      let count = 0;
      if (plan.enqueue.length > 0) {
        try {
          const job = await make(schedule);
          const jobs = plan.enqueue.map(() => job);
          count = (await insertForTicks(c, tx, schedule.name, jobs, plan.enqueue)).length;
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          lastError = error.message;
        }
      }
      await run(
        tx,
        `UPDATE schedules SET last_tick = COALESCE($2::timestamptz, last_tick),
            next_tick = $3::timestamptz, last_error = $4, last_fired_by = $5, updated_at = now()
          WHERE name = $1`,
        [schedule.name, iso(plan.lastTick), iso(plan.nextTick), lastError, by],
      );
      return count;
    })) as number | null;
    if (made === null) break;
    enqueued += made;
  }
  const [next] = await run<{ ms: number | null }>(c.sql, NEXT_DUE, []);
  return { enqueued, nextDueMs: next?.ms ?? null };
}

/** The newest jobs schedule `name` made, newest first. */
export async function scheduleJobs(c: Connection, name: string, limit: number): Promise<Job[]> {
  const rows = await run<JobRow>(
    c.sql,
    `SELECT ${JOB_COLUMNS_SQL} FROM jobs j WHERE j.schedule_name = $1 ORDER BY j.id DESC LIMIT $2`,
    [name, limit],
  );
  return rows.map(rowToJob);
}
