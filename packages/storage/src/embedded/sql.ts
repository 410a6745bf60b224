import postgres from 'postgres';
import { errorCode } from './fs-util.js';

/** Where and as whom to connect for maintenance queries. */
export interface ServerLogin {
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Superuser name. */
  user: string;
  /** Superuser password. */
  password: string;
}

/** Seconds allowed to establish a probe connection. */
const CONNECT_TIMEOUT_S = 2;

/** Runs `fn` on a one-connection client to the 'postgres' database, always closing it. */
async function withMaintenance<T>(
  login: ServerLogin,
  fn: (sql: postgres.Sql) => Promise<T>,
): Promise<T> {
  const sql = postgres({
    host: '127.0.0.1',
    port: login.port,
    user: login.user,
    password: login.password,
    database: 'postgres',
    max: 1,
    connect_timeout: CONNECT_TIMEOUT_S,
    idle_timeout: 1,
    onnotice: () => {},
    connection: { application_name: 'jobs-embedded' },
  });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 0 }).catch(() => undefined);
  }
}

/** True when the server accepts the login and answers `select 1` within a short timeout. */
export async function answers(login: ServerLogin): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), (CONNECT_TIMEOUT_S + 1) * 1000);
  });
  const probe = withMaintenance(login, async (sql) => {
    const rows = await sql<{ one: number }[]>`select 1 as one`;
    return rows[0]?.one === 1;
  }).catch(() => false);
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates `database` when missing; tolerates a concurrent creator. */
export async function ensureDatabase(login: ServerLogin, database: string): Promise<void> {
  await withMaintenance(login, async (sql) => {
    const found = await sql`select 1 from pg_database where datname = ${database}`;
    if (found.length > 0) return;
    try {
      await sql`create database ${sql(database)}`;
    } catch (error) {
      // 42P04 duplicate_database, 23505 unique_violation: another caller won the race.
      const code = errorCode(error);
      if (code !== '42P04' && code !== '23505') throw error;
    }
  });
}
