/**
 * The system the dashboard tests run against: `jobs start` (API, worker and the built
 * dashboard on one port) as a child process, over a fresh test schema, with the handlers of
 * `e2e/jobs.config.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestSchema } from '@jobs/storage/testing';
import { dashboardDir } from '../src/index.js';

/** The built `jobs` command. */
const JOBS_BIN = fileURLToPath(new URL('./bin/jobs.js', import.meta.resolve('@jobs/cli')));
const CONFIG = fileURLToPath(new URL('./jobs.config.ts', import.meta.url));

/** A running dashboard with its API and worker. */
export interface DashboardHarness extends AsyncDisposable {
  /** The origin the browser opens (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** The API token, when started with one. */
  readonly token: string | null;
  /** Calls the API as a script would (with the token). */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** Stops `jobs start` (Ctrl-C), as a server going down; the database stays. */
  stopServer(): Promise<void>;
  /** Starts it again, on the same port. */
  startServer(): Promise<void>;
  close(): Promise<void>;
}

/** Runs `jobs start` and resolves with its URL once it printed its banner. */
async function startJobs(
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [JOBS_BIN, 'start', '--config', CONFIG], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`jobs start printed no URL: ${out}${err}`)),
      60_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colours
      const match = /dashboard\s+(http:\/\/[^\s/]+)\//.exec(out.replace(/\u001b\[[0-9;]*m/g, ''));
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`jobs start exited with ${code}: ${err.trim()}`));
    });
  });
  return { child, url };
}

/** Stops a `jobs start` process gracefully and waits for it to exit. */
async function stopJobs(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** Starts `jobs start` on a free loopback port over a schema of its own. */
export async function startDashboard(
  name: string,
  options: { token?: string } = {},
): Promise<DashboardHarness> {
  const token = options.token ?? null;
  const schema = await createTestSchema(`dash_${name}`);
  const cwd = await mkdtemp(join(tmpdir(), 'jobs-dashboard-e2e-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: schema.url,
    JOBS_SCHEMA: schema.schema,
    PORT: '0',
    BACKGROUND_JOB_LOG_DIRECTORY: join(cwd, 'background_jobs.log'),
    BACKGROUND_JOB_ERROR_LOG_DIRECTORY: join(cwd, 'background_jobs_error.log'),
    NO_COLOR: '1',
    // This package's own build: the dashboard under test.
    JOBS_DASHBOARD_DIR: dashboardDir,
  };
  delete env.JOBS_API_TOKEN;
  if (token !== null) env.JOBS_API_TOKEN = token;
  let running: ChildProcess | null = null;
  const first = await startJobs(env, cwd);
  running = first.child;
  const url = first.url;
  const port = new URL(url).port;

  const stopServer = async () => {
    if (running !== null) await stopJobs(running);
    running = null;
  };
  const close = async () => {
    await stopServer();
    await schema.drop();
    await rm(cwd, { recursive: true, force: true });
  };
  return {
    url,
    token,
    api: (method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    stopServer,
    startServer: async () => {
      running ??= (await startJobs({ ...env, PORT: port }, cwd)).child;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
