import { allowedHost, hardening } from '@jobs/api';
import { Hono } from 'hono';
import { DASHBOARD_CSP, NOT_BUILT_CSP, NOT_BUILT_PAGE, staticFiles } from './static.js';

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

/** Settings of `createRootApp`. */
export interface RootAppOptions {
  /** The app made by `createApp`: it answers (and guards) its own paths and every non-GET. */
  readonly api: FetchApp;
  /** The built dashboard's folder, or null for a page saying it is not built. */
  readonly dashboardDir: string | null;
  /** Hosts the dashboard answers besides loopback: the same list as the API's allowedHosts. */
  readonly allowedHosts?: readonly string[];
}

/**
 * The app `jobs start` and `jobs serve` listen with: the API for its paths, the dashboard's
 * files (single-page fallback to index.html) for other GETs, or a page saying the dashboard is
 * not built. Every answer carries the hardening headers (the dashboard's own CSP where the API
 * set none); dashboard paths refuse a foreign Host as the API does.
 */
export function createRootApp({ api, dashboardDir, allowedHosts = [] }: RootAppOptions) {
  const serveFile = dashboardDir === null ? null : staticFiles(dashboardDir);
  const hostCheck = allowedHost({ hosts: allowedHosts, openPaths: [] });
  const root = new Hono();
  const toApi = (method: string, path: string) =>
    isApiPath(path) || (method !== 'GET' && method !== 'HEAD');
  root.use('*', hardening({ contentSecurityPolicy: DASHBOARD_CSP }));
  root.use('*', (c, next) => (toApi(c.req.method, c.req.path) ? next() : hostCheck(c, next)));
  root.all('*', async (c) => {
    const { method, path } = c.req;
    if (toApi(method, path)) return api.fetch(c.req.raw, c.env);
    if (serveFile !== null) return serveFile(c.req.raw);
    if (path === '/' || path === '/index.html') {
      c.header('Content-Security-Policy', NOT_BUILT_CSP);
      return c.html(NOT_BUILT_PAGE);
    }
    return api.fetch(c.req.raw, c.env);
  });
  return root;
}
