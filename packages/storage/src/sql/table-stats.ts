import type { JobTableStats } from '@jobs/core';
import type { Connection } from '../connection.js';

// 'jobs' resolves through the connection's search_path (the store's schema).
const TABLE_STATS = `SELECT pg_total_relation_size(c.oid) AS total,
    pg_relation_size(c.oid) AS heap, pg_indexes_size(c.oid) AS indexes,
    COALESCE(s.n_live_tup, 0) AS live, COALESCE(s.n_dead_tup, 0) AS dead,
    GREATEST(s.last_vacuum, s.last_autovacuum) AS vacuumed,
    current_setting('autovacuum')::boolean AND COALESCE((SELECT o.option_value::boolean
      FROM pg_options_to_table(c.reloptions) o WHERE o.option_name = 'autovacuum_enabled'), true)
      AS autovacuum
  FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
  WHERE c.oid = 'jobs'::regclass`;

interface Row {
  total: string;
  heap: string;
  indexes: string;
  live: string;
  dead: string;
  vacuumed: Date | null;
  autovacuum: boolean;
}

/** The jobs table's size (table, indexes, total) and its live and dead rows. */
export async function jobTableStats(c: Connection): Promise<JobTableStats> {
  const [row] = await c.sql.unsafe<Row[]>(TABLE_STATS, [], { prepare: true });
  if (row === undefined) throw new Error('the jobs table is missing');
  const live = Number(row.live);
  const dead = Number(row.dead);
  return {
    totalBytes: Number(row.total),
    tableBytes: Number(row.heap),
    indexBytes: Number(row.indexes),
    liveRows: live,
    deadRows: dead,
    deadShare: live + dead === 0 ? 0 : dead / (live + dead),
    lastVacuumAt: row.vacuumed === null ? null : new Date(row.vacuumed),
    autovacuum: row.autovacuum,
  };
}
