import { Hono } from 'hono';
import { NOT_BUILT_PAGE, staticFiles } from './static.js';

/** Anything answering fetch: the app made by `createApp`. */
export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/** Paths the API answers; everything else is the dashboard's. */
export function isApiPath(path: string): boolean {
  return (
    path === '/api' ||
    path.startsWith('/api/') ||
    ['/metrics', '/healthz', '/readyz', '/openapi.json', '/docs'].includes(path)
  );
}

/**
 * The app `jobs start` and `jobs serve` listen with: the API for its paths, the dashboard's
 * files (single-page fallback to index.html) for other GETs, or a page saying the dashboard is
 * not built.
 */
export function createRootApp(options: {
  readonly api: FetchApp;
  readonly dashboardDir: string | null;
}) {
  const { api, dashboardDir } = options;
  const serveFile = dashboardDir === null ? null : staticFiles(dashboardDir);
  const root = new Hono();
  root.all('*', async (c) => {
    const { method, path } = c.req;
    if (isApiPath(path) || (method !== 'GET' && method !== 'HEAD')) {
      return api.fetch(c.req.raw, c.env);
    }
    if (serveFile !== null) return serveFile(c.req.raw);
    if (path === '/' || path === '/index.html') return c.html(NOT_BUILT_PAGE);
    return api.fetch(c.req.raw, c.env);
  });
  return root;
}
