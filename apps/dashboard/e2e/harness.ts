/**
 * The composition the dashboard runs in: API, worker and the built dashboard on one port,
 * over a fresh test schema. It stands in for `jobs start` until that command exists; swap
 * `startDashboard` for a child process running `jobs start` and the tests stay the same.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { createApp, type RunningServer, serve } from '@jobs/api';
import { createPgStore } from '@jobs/storage';
import { createTestSchema } from '@jobs/storage/testing';
import { createWorker, silentLogger } from '@jobs/worker';
import { Hono } from 'hono';
import { dashboardDir } from '../src/index.js';
import { handlers } from './handlers.js';

/** Paths the API answers; everything else is the dashboard (with index.html as fallback). */
const API_PATHS = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs'];

function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/') || API_PATHS.includes(path);
}

/** A running dashboard with its API and worker. */
export interface DashboardHarness extends AsyncDisposable {
  /** The origin the browser opens (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** The API token, when started with one. */
  readonly token: string | null;
  /** Calls the API as a script would (with the token). */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** Stops answering HTTP (the database and worker go on), as a server going down. */
  stopServer(): Promise<void>;
  /** Answers again, on the same port. */
  startServer(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the composition on a free loopback port. */
export async function startDashboard(
  name: string,
  options: { token?: string } = {},
): Promise<DashboardHarness> {
  const token = options.token ?? null;
  const schema = await createTestSchema(`dash_${name}`);
  const logDir = await mkdtemp(join(tmpdir(), 'jobs-dashboard-e2e-'));
  const logs = {
    jobs: join(logDir, 'background_jobs.log'),
    errors: join(logDir, 'background_jobs_error.log'),
  };
  const store = createPgStore({ url: schema.url, schema: schema.schema, max: 8 });
  const worker = createWorker({
    store,
    handlers,
    concurrency: 4,
    pollIntervalMs: 250,
    jobLogPath: logs.jobs,
    errorLogPath: logs.errors,
    logger: silentLogger,
    graceMs: 1000,
  });
  await worker.start();

  const api = createApp({ store, handlers, token, logFiles: logs, heartbeatMs: 5000 });
  const root = new Hono();
  root.all('*', async (c, next) => (isApiPath(c.req.path) ? api.fetch(c.req.raw) : next()));
  root.use('*', serveStatic({ root: dashboardDir }));
  root.get('*', serveStatic({ root: dashboardDir, path: 'index.html' }));

  let server: RunningServer | null = await serve({ app: root, port: 0 });
  const port = server.port;
  const url = `http://127.0.0.1:${port}`;

  const stopServer = async () => {
    await server?.close();
    server = null;
  };
  const close = async () => {
    await stopServer();
    await worker.stop({ graceMs: 500 });
    await store.close();
    await schema.drop();
    await rm(logDir, { recursive: true, force: true });
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
      server ??= await serve({ app: root, port });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
