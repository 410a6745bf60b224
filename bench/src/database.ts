import { createPgStore, migrate, type PgJobStore } from '@jobs/storage';
import { startEmbeddedPostgres } from '@jobs/storage/embedded';
import postgres from 'postgres';

/** The schema every case resets; nothing else in the database is touched. */
export const BENCH_SCHEMA = 'jobs_bench';

/** The server the benchmark runs on, and how to get a fresh schema on it. */
export interface BenchDatabase {
  readonly url: string;
  readonly label: string;
  /** Drops and re-creates the bench schema; returns a store on it. */
  reset(): Promise<PgJobStore>;
  close(): Promise<void>;
}

/**
 * The machine's PostgreSQL (`BENCH_DATABASE_URL`, `DATABASE_URL`, or 127.0.0.1:5432/postgres
 * when it answers), else the embedded server in `.jobs`.
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
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const [version] = await admin<{ v: string }[]>`SELECT current_setting('server_version') AS v`;
  label = `${label}, version ${version?.v ?? '?'}`;
  const stores: PgJobStore[] = [];
  return {
    url,
    label,
    reset: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await admin`DROP SCHEMA IF EXISTS ${admin(BENCH_SCHEMA)} CASCADE`;
      await migrate({ url, schema: BENCH_SCHEMA });
      const store = createPgStore({ url, schema: BENCH_SCHEMA, max: 8 });
      stores.push(store);
      return store;
    },
    close: async () => {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await admin.end();
      await stopEmbedded();
    },
  };
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
