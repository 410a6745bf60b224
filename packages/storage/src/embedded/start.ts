import { mkdir } from 'node:fs/promises';
import { acquireLock } from './lock.js';
import {
  connectionUrl,
  DEFAULT_DATABASE,
  type EmbeddedPaths,
  embeddedPaths,
  SUPERUSER,
} from './paths.js';
import { isAlive } from './proc.js';
import { launchServer } from './server.js';
import { answers, ensureDatabase } from './sql.js';
import { readEmbeddedState, removeEmbeddedState, writeEmbeddedState } from './state.js';
import type { EmbeddedPostgresHandle, EmbeddedState, StartEmbeddedOptions } from './types.js';

/** Joins the server recorded in `<dir>/postgres.json`, or starts one (guarded by `<dir>/postgres.lock`). */
export async function startEmbeddedPostgres(
  options: StartEmbeddedOptions = {},
): Promise<EmbeddedPostgresHandle> {
  const paths = embeddedPaths(options.dir);
  const database = options.database ?? DEFAULT_DATABASE;
  await mkdir(paths.dir, { recursive: true });

  const joined = await tryJoin(paths, database);
  if (joined) return joined;

  const release = await acquireLock(paths.lockFile);
  try {
    // Whoever held the lock before us may have started a server meanwhile.
    return (
      (await tryJoin(paths, database)) ??
      (await startOwned(paths, database, options.log, options.port))
    );
  } finally {
    await release();
  }
}

/** Returns a non-owner handle when the state file's server is alive and answers. */
async function tryJoin(
  paths: EmbeddedPaths,
  database: string,
): Promise<EmbeddedPostgresHandle | null> {
  const state = await readEmbeddedState(paths.dir);
  if (state === null || !isAlive(state.pid) || !(await answers(state))) return null;
  if (database !== state.database) await ensureDatabase(state, database);
  // A joiner keeps no connection open, so stopping it has nothing to release.
  return makeHandle(paths, state, database, false, async () => {});
}

/** Starts the server, creates the database, records the state file. */
async function startOwned(
  paths: EmbeddedPaths,
  database: string,
  log: ((line: string) => void) | undefined,
  port: number | undefined,
): Promise<EmbeddedPostgresHandle> {
  const server = await launchServer(paths, log, port);
  const state: EmbeddedState = {
    pid: server.pid,
    port: server.port,
    user: SUPERUSER,
    password: server.password,
    database,
    startedAt: new Date().toISOString(),
  };
  try {
    await ensureDatabase(state, database);
    await writeEmbeddedState(paths.stateFile, state);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return makeHandle(paths, state, database, true, async () => {
    await server.stop();
    await removeEmbeddedState(paths.dir, state);
  });
}

/** Wraps a release function into an idempotent handle. */
function makeHandle(
  paths: EmbeddedPaths,
  state: EmbeddedState,
  database: string,
  owner: boolean,
  release: () => Promise<void>,
): EmbeddedPostgresHandle {
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= release();
    return stopping;
  };
  return {
    url: connectionUrl(state.user, state.password, state.port, database),
    port: state.port,
    owner,
    dataDir: paths.dataDir,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
