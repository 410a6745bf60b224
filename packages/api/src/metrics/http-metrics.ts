import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Histogram, type Registry } from 'prom-client';

/** Upper bounds (seconds) of the request duration histogram: 1 ms to 10 s. */
export const REQUEST_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

/**
 * Times every request into `jobs_http_request_duration_seconds{method, route, status}`. The
 * route is the matched pattern (`/api/jobs/:id`), never the path asked, so that a scan of
 * random paths cannot add series: unmatched requests share `route="unmatched"`, and methods
 * other than the HTTP ones share `method="other"`. Event streams are timed until their headers
 * are sent.
 */
export function requestMetrics(registry: Registry): MiddlewareHandler {
  const histogram = new Histogram({
    name: 'jobs_http_request_duration_seconds',
    help: 'Time to answer an API request, by method, matched route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [...REQUEST_BUCKETS],
    registers: [registry],
  });
  return async (c, next) => {
    const start = performance.now();
    await next();
    // After next(): the pattern of the handler that answered (a middleware's `*` when none did).
    const route = routePath(c);
    histogram.observe(
      {
        method: HTTP_METHODS.has(c.req.method) ? c.req.method : 'other',
        route: route === '' || route.endsWith('*') ? 'unmatched' : route,
        status: String(c.res.status),
      },
      (performance.now() - start) / 1000,
    );
  };
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
