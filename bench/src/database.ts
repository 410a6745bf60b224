import { createPgStore, migrate, type PgJobStore } from '@jobs/storage';
import { startEmbeddedPostgres } from '@jobs/storage/embedded';
import postgres from 'postgres';

/** This project's schema in the bench database; every case resets it. */
export const BENCH_SCHEMA = 'jobs_bench';
/** graphile-worker's own schema (its default name). */
export const GRAPHILE_SCHEMA = 'graphile_worker';
/** pg-boss's own schema (its default name). */
export const PGBOSS_SCHEMA = 'pgboss';
/** Every schema a contender writes to; all are dropped before each case. */
const CONTENDER_SCHEMAS = [BENCH_SCHEMA, GRAPHILE_SCHEMA, PGBOSS_SCHEMA];

/**
 * The database the benchmark creates on the chosen server, so that its PostgreSQL backends
 * (and their CPU time) can be told apart from other sessions on the same server.
 */
export const BENCH_DATABASE_NAME = 'jobs_bench';

/** The server the benchmark runs on, and how to get fresh schemas on it. */
export interface BenchDatabase {
  readonly url: string;
  readonly label: string;
  /** The database name in `url`. */
  readonly database: string;
  /** One connection for the harness's own reads (the bench database, no search_path). */
  readonly admin: postgres.Sql;
  /**
   * One connection for the harness's polls during a case ("any job left?"), planner limited
   * to plain index scans: a poll must stay an index probe that marks the entries of dead row
   * versions as it passes them (index-only and bitmap scans do not), or on a table of finished
   * jobs every poll would visit them all again (10-20 ms per poll for 50,000 jobs) and load the
   * server it measures.
   */
  readonly poller: postgres.Sql;
  /**
   * Drops every contender's schema, re-creates this project's, and runs a CHECKPOINT so that
   * no case pays for the previous one's dirty pages; returns a store on the schema.
   */
  reset(): Promise<PgJobStore>;
  /** Drops every contender's schema (at the end of a run). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The machine's PostgreSQL (`BENCH_DATABASE_URL`, `DATABASE_URL`, or 127.0.0.1:5432 when it
 * answers), else the embedded server in `.jobs`. Unless a URL is given, the benchmark works in
 * its own database `jobs_bench` on that server, created when missing.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const given = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  let url = given ?? local;
  let label = given === undefined ? 'machine PostgreSQL (127.0.0.1:5432)' : 'given URL';
  let stopEmbedded = async () => {};
  if (given === undefined && !(await answers(local))) {
    const server = await startEmbeddedPostgres();
    url = server.url;
    label = 'embedded PostgreSQL';
    stopEmbedded = () => server.stop();
  }
  if (given === undefined) url = await ownDatabase(url);
  const database = new URL(url).pathname.slice(1) || 'postgres';
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const poller = postgres(url, {
    max: 1,
    onnotice: () => {},
    connection: {
      enable_seqscan: 'off',
      enable_bitmapscan: 'off',
      enable_indexonlyscan: 'off',
      application_name: 'bench-poller',
    },
  });
  const [version] = await admin<{ v: string }[]>`SELECT current_setting('server_version') AS v`;
  label = `${label}, version ${version?.v ?? '?'}, database ${database}`;
  const stores: PgJobStore[] = [];
  return {
    url,
    label,
    database,
    admin,
    poller,
    reset: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      for (const schema of CONTENDER_SCHEMAS) {
        await admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`;
      }
      await migrate({ url, schema: BENCH_SCHEMA });
      await admin`CHECKPOINT`.catch(() => {});
      const store = createPgStore({ url, schema: BENCH_SCHEMA, max: 4 });
      stores.push(store);
      return store;
    },
    clear: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      for (const schema of CONTENDER_SCHEMAS) {
        await admin`DROP SCHEMA IF EXISTS ${admin(schema)} CASCADE`;
      }
    },
    close: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await admin.end();
      await poller.end();
      await stopEmbedded();
    },
  };
}

/** `url` pointed at the bench database, created when missing (or `url` itself if it cannot be). */
async function ownDatabase(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_database WHERE datname = ${BENCH_DATABASE_NAME}`;
    if ((row?.n ?? 0) === 0) await sql`CREATE DATABASE ${sql(BENCH_DATABASE_NAME)}`;
    const own = new URL(url);
    own.pathname = `/${BENCH_DATABASE_NAME}`;
    return own.toString();
  } catch (error) {
    process.stdout.write(
      `note: could not create database ${BENCH_DATABASE_NAME} (${String(error)}); using ${url}\n`,
    );
    return url;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
