import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type postgres from 'postgres';
import { BENCH_SCHEMA, GRAPHILE_SCHEMA, PGBOSS_SCHEMA } from '../database.js';
import { type Child, spawnNode } from '../processes.js';
import type { Executions } from './recorder.js';
import {
  type ClientConfig,
  FAST_PREFETCH,
  PEER_TASK,
  type Settings,
  type System,
} from './settings.js';

/** This project's worker daemon, beside the built @jobs/worker entry point. */
const WORKER_BIN = fileURLToPath(new URL('./bin/worker.js', import.meta.resolve('@jobs/worker')));
/** The bench handlers module (the shared no-op), built next to this folder. */
const HANDLERS = fileURLToPath(new URL('../handlers.js', import.meta.url));
const PEER_WORKER = fileURLToPath(new URL('./peer-worker.js', import.meta.url));
const CLIENT = fileURLToPath(new URL('./client.js', import.meta.url));

/** The schema holding a system's tables. */
export function schemaOf(system: System): string {
  return system === 'ours'
    ? BENCH_SCHEMA
    : system === 'graphile-worker'
      ? GRAPHILE_SCHEMA
      : PGBOSS_SCHEMA;
}

/** A worker process of some contender, and where its executions are written. */
export interface RunningWorker {
  readonly child: Child;
  /** Where it serves its metrics (started with `metrics`), else null. */
  readonly metricsUrl: string | null;
  /** SIGTERM, wait, and read what its handler saw. */
  stop(): Promise<{ exitCode: number | null; executions: Executions | null }>;
}

/** A temporary folder for a case's files (worker cwd, executions). */
export async function scratchDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'jobs-bench-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Starts a contender's worker process and waits until it is taking jobs. `metrics` (ours only)
 * has it count into Prometheus metrics served on a loopback port, whose URL `metricsUrl` gives.
 */
export async function startWorker(options: {
  system: System;
  settings: Settings;
  url: string;
  concurrency: number;
  dir: string;
  metrics?: boolean;
}): Promise<RunningWorker> {
  const file = join(options.dir, `executions-${Date.now()}.json`);
  const env = { BENCH_EXECUTIONS_FILE: file, JOBS_LOG_LEVEL: 'warn' };
  const child =
    options.system === 'ours'
      ? spawnNode(
          'ours worker',
          WORKER_BIN,
          [
            '--handlers',
            HANDLERS,
            '--database-url',
            options.url,
            '--schema',
            BENCH_SCHEMA,
            '--concurrency',
            String(options.concurrency),
            // The project's documented fast settings: no dashboard change feed, and a local
            // queue of FAST_PREFETCH claimed jobs (graphile-worker's fast preset holds 500).
            '--change-events',
            options.settings === 'fast' ? 'off' : 'on',
            ...(options.settings === 'fast' ? ['--prefetch', String(FAST_PREFETCH)] : []),
            ...(options.metrics === true ? ['--metrics-port', '0'] : []),
          ],
          { env, cwd: options.dir },
        )
      : spawnNode(
          `${options.system} worker`,
          PEER_WORKER,
          [
            JSON.stringify({
              system: options.system,
              settings: options.settings,
              url: options.url,
              concurrency: options.concurrency,
            }),
          ],
          { env, cwd: options.dir },
        );
  const ready = await child.message('ready');
  return {
    child,
    metricsUrl: typeof ready.metrics === 'string' ? ready.metrics : null,
    stop: async () => {
      const exitCode = await child.stop();
      let executions: Executions | null = null;
      try {
        executions = JSON.parse(await readFile(file, 'utf8')) as Executions;
      } catch {
        executions = null;
      }
      return { exitCode, executions };
    },
  };
}

/** Runs a contender's client process to the end and returns its result line. */
export async function runClient(
  config: ClientConfig,
): Promise<{ result: Record<string, unknown>; peakRssMiB: number; child: Child }> {
  const child = spawnNode(`${config.system} client`, CLIENT, [JSON.stringify(config)]);
  const result = await child.message('result', 20 * 60_000);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${child.name} exited with ${code}: ${child.stderr()}`);
  return { result, peakRssMiB: child.peakRssMiB(), child };
}

/** The ids of the system's jobs in the table now. */
export async function jobIds(sql: postgres.Sql, system: System): Promise<string[]> {
  const rows =
    system === 'ours'
      ? await sql<{ id: string }[]>`SELECT id::text AS id FROM ${sql(BENCH_SCHEMA)}.jobs`
      : system === 'graphile-worker'
        ? await sql<
            { id: string }[]
          >`SELECT id::text AS id FROM ${sql(GRAPHILE_SCHEMA)}._private_jobs`
        : await sql<{ id: string }[]>`
            SELECT id::text AS id FROM ${sql(PGBOSS_SCHEMA)}.job WHERE name = ${PEER_TASK}`;
  return rows.map((r) => r.id);
}

/** True while any of the system's jobs is not finished (cheap: stops at the first). */
export async function anyPending(sql: postgres.Sql, system: System): Promise<boolean> {
  const [row] =
    system === 'ours'
      ? await sql<{ p: boolean }[]>`SELECT EXISTS (SELECT 1 FROM ${sql(BENCH_SCHEMA)}.jobs
          WHERE state IN ('waiting', 'scheduled', 'queued', 'running', 'retrying')) AS p`
      : system === 'graphile-worker'
        ? await sql<{ p: boolean }[]>`SELECT EXISTS (
            SELECT 1 FROM ${sql(GRAPHILE_SCHEMA)}._private_jobs ORDER BY id LIMIT 1) AS p`
        : await sql<{ p: boolean }[]>`SELECT EXISTS (SELECT 1 FROM ${sql(PGBOSS_SCHEMA)}.job
            WHERE name = ${PEER_TASK} AND state < 'completed') AS p`;
  return row?.p ?? true;
}

/** What the tables say after a run: jobs finished, jobs left, and anything odd. */
export interface TableState {
  /** Jobs recorded as done (for graphile-worker: deleted, as it does with completed jobs). */
  readonly finished: number;
  /** Jobs still waiting or running. */
  readonly pending: number;
  /** Jobs failed, retried, or attempted more than once, as the table sees it. */
  readonly odd: number;
}

export async function tableState(
  sql: postgres.Sql,
  system: System,
  enqueued: number,
): Promise<TableState> {
  if (system === 'ours') {
    const [row] = await sql<{ done: number; pending: number; odd: number }[]>`
      SELECT count(*) FILTER (WHERE state = 'completed')::int AS done,
             count(*) FILTER (WHERE state IN ('waiting', 'scheduled', 'queued', 'running',
               'retrying'))::int AS pending,
             count(*) FILTER (WHERE state IN ('failed', 'cancelled') OR (state = 'completed'
               AND attempt <> 1) OR errors <> '[]'::jsonb)::int AS odd
        FROM ${sql(BENCH_SCHEMA)}.jobs`;
    return { finished: row?.done ?? 0, pending: row?.pending ?? 0, odd: row?.odd ?? 0 };
  }
  if (system === 'graphile-worker') {
    const [row] = await sql<{ left: number; odd: number }[]>`
      SELECT count(*)::int AS left,
             count(*) FILTER (WHERE last_error IS NOT NULL OR attempts >= max_attempts)::int AS odd
        FROM ${sql(GRAPHILE_SCHEMA)}._private_jobs`;
    const left = row?.left ?? 0;
    return { finished: enqueued - left, pending: left - (row?.odd ?? 0), odd: row?.odd ?? 0 };
  }
  const [row] = await sql<{ done: number; pending: number; odd: number }[]>`
    SELECT count(*) FILTER (WHERE state = 'completed')::int AS done,
           count(*) FILTER (WHERE state < 'completed')::int AS pending,
           count(*) FILTER (WHERE state > 'completed' OR retry_count > 0)::int AS odd
      FROM ${sql(PGBOSS_SCHEMA)}.job WHERE name = ${PEER_TASK}`;
  return { finished: row?.done ?? 0, pending: row?.pending ?? 0, odd: row?.odd ?? 0 };
}

/**
 * Compares what the handler process saw with what was enqueued and with the tables: returns
 * the problems (duplicates, missing jobs, jobs left pending), empty when each job ran once.
 */
export function checkExactlyOnce(options: {
  expectedIds: readonly string[];
  executions: Executions | null;
  table: TableState;
  /** A run stopped on its time limit: jobs not run yet are expected to be pending. */
  partial: boolean;
}): string[] {
  const { expectedIds, executions, table, partial } = options;
  if (executions === null) return ['the worker wrote no executions record'];
  const problems: string[] = [];
  if (executions.duplicates.length > 0) {
    const extra = executions.duplicates.reduce((a, [, n]) => a + n - 1, 0);
    problems.push(
      `${executions.duplicates.length} jobs ran more than once (${extra} extra runs, e.g. ${executions.duplicates
        .slice(0, 3)
        .map(([id, n]) => `${id}x${n}`)
        .join(', ')})`,
    );
  }
  const expected = new Set(expectedIds);
  const ran = new Set(executions.starts.map(([id]) => id));
  const unknown = [...ran].filter((id) => !expected.has(id));
  if (unknown.length > 0) problems.push(`${unknown.length} executions of jobs never enqueued`);
  const notRun = expectedIds.filter((id) => !ran.has(id)).length;
  if (!partial && notRun > 0) problems.push(`${notRun} of ${expectedIds.length} jobs never ran`);
  if (!partial && table.pending > 0) problems.push(`${table.pending} jobs left pending`);
  if (partial && notRun !== table.pending) {
    problems.push(`time limit: ${notRun} not run, ${table.pending} pending`);
  }
  if (table.finished !== ran.size) {
    problems.push(
      partial
        ? `${ran.size - table.finished} ran but not recorded finished when stopped`
        : `${ran.size} jobs ran but the table records ${table.finished} finished`,
    );
  }
  if (table.odd > 0) problems.push(`${table.odd} jobs failed, retried or attempted twice`);
  return problems;
}
