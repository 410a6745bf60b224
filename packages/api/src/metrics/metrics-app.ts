import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { rememberAppToken, splitList } from '../app.js';
import { bearerAuth } from '../auth.js';
import { errorBody } from '../errors.js';
import { allowedHost } from '../middleware/allowed-host/index.js';
import { hardening } from '../middleware/hardening/index.js';

/** Settings of `createMetricsApp`. */
export interface MetricsAppOptions {
  /** What /metrics serves. */
  readonly registry: Registry;
  /** Bearer token /metrics requires; default JOBS_API_TOKEN; '' or null: none (loopback only). */
  readonly token?: string | null;
  /** Host names answered beyond loopback (default JOBS_ALLOWED_HOSTS, comma separated). */
  readonly allowedHosts?: readonly string[];
  /** Where JOBS_API_TOKEN and JOBS_ALLOWED_HOSTS are read (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The HTTP server of a process without the API (a `jobs worker`): `GET /metrics` and
 * `/healthz`, under the API's rules. `serve` listens with it on loopback, or beyond with a
 * token of 32 characters or more; a Host not allowed gets 421; other paths 404 and other
 * methods 405, as JSON errors.
 */
export function createMetricsApp(options: MetricsAppOptions) {
  const env = options.env ?? process.env;
  const token = (options.token === undefined ? env.JOBS_API_TOKEN : options.token) || null;
  const { registry } = options;
  const app = new Hono();
  app.use('*', hardening({ cacheControl: 'no-store' }));
  app.use('*', allowedHost({ hosts: options.allowedHosts ?? splitList(env.JOBS_ALLOWED_HOSTS) }));
  if (token !== null) app.use('*', bearerAuth(token));
  app.get('/healthz', (c) => c.json({ status: 'ok' as const }));
  app.get('/metrics', async (c) =>
    c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType }),
  );
  app.all('/metrics', (c) =>
    c.json(
      errorBody('method_not_allowed', `${c.req.method} is not allowed on /metrics: use GET`),
      405,
      { Allow: 'GET, HEAD' },
    ),
  );
  app.all('/healthz', (c) =>
    c.json(
      errorBody('method_not_allowed', `${c.req.method} is not allowed on /healthz: use GET`),
      405,
      { Allow: 'GET, HEAD' },
    ),
  );
  app.notFound((c) =>
    c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404),
  );
  app.onError((_error, c) =>
    c.json(errorBody('unavailable', 'the metrics could not be read; try again'), 503),
  );
  rememberAppToken(app, token);
  return app;
}
