import type postgres from 'postgres';

/** Counters of the bench database and of one schema's tables. */
export interface DbCounters {
  /** Transactions committed or rolled back (each autocommit statement is one). */
  readonly xacts: number;
  /** Rows inserted, updated (and of those, HOT: no index written), deleted in the schema. */
  readonly inserted: number;
  readonly updated: number;
  readonly hotUpdated: number;
  readonly deleted: number;
}

/**
 * Reads the counters. PostgreSQL 15 flushes a backend's statistics when it goes idle or ends
 * (at most a second late), so take the second reading after the contender's processes ended.
 */
export async function readCounters(
  sql: postgres.Sql,
  database: string,
  schema: string,
): Promise<DbCounters> {
  await sql`SELECT pg_stat_clear_snapshot()`;
  const [db] = await sql<{ xacts: string }[]>`
    SELECT (xact_commit + xact_rollback)::text AS xacts FROM pg_stat_database
     WHERE datname = ${database}`;
  const [t] = await sql<{ ins: string; upd: string; hot: string; del: string }[]>`
    SELECT coalesce(sum(n_tup_ins), 0)::text AS ins, coalesce(sum(n_tup_upd), 0)::text AS upd,
           coalesce(sum(n_tup_hot_upd), 0)::text AS hot, coalesce(sum(n_tup_del), 0)::text AS del
      FROM pg_stat_user_tables WHERE schemaname = ${schema}`;
  return {
    xacts: Number(db?.xacts ?? 0),
    inserted: Number(t?.ins ?? 0),
    updated: Number(t?.upd ?? 0),
    hotUpdated: Number(t?.hot ?? 0),
    deleted: Number(t?.del ?? 0),
  };
}

/** Per-job differences between two readings. */
export function perJob(before: DbCounters, after: DbCounters, jobs: number) {
  const d = (k: keyof DbCounters) => Math.round(((after[k] - before[k]) / jobs) * 100) / 100;
  return {
    xactsPerJob: d('xacts'),
    rowsInsertedPerJob: d('inserted'),
    rowsUpdatedPerJob: d('updated'),
    hotUpdatesPerJob: d('hotUpdated'),
    rowsDeletedPerJob: d('deleted'),
  };
}

/** Waits for the statistics of ended backends to be flushed. */
export function statsSettle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 1100));
}
