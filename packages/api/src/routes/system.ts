import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import { createRouter } from '../router.js';
import { errorResponses, jsonResponse } from './common.js';

const StatusSchema = z.object({ status: z.literal('ok') }).openapi('Status');

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  tags: ['system'],
  summary: 'The process answers (no token needed, no database call)',
  security: [],
  responses: { 200: jsonResponse(StatusSchema, 'Alive') },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/readyz',
  operationId: 'getReadiness',
  tags: ['system'],
  summary: 'The database answers',
  responses: { 200: jsonResponse(StatusSchema, 'Ready'), ...errorResponses(401, 503) },
});

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'getMetrics',
  tags: ['system'],
  summary:
    'Prometheus metrics: jobs by state and finished totals read from the database (so they cover every worker), this process (heap, event loop, GC), its requests and, under `jobs start`, its worker',
  responses: {
    200: {
      description: 'Text exposition format',
      content: { 'text/plain': { schema: z.string() } },
    },
    ...errorResponses(401, 503),
  },
});

/** /healthz, /readyz and /metrics, at the root. */
export function systemRoutes({ store, metrics }: Deps) {
  return createRouter()
    .openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readyRoute, async (c) => {
      await store.queueList();
      return c.json({ status: 'ok' as const }, 200);
    })
    .openapi(metricsRoute, async (c) =>
      c.text(await metrics.render(), 200, { 'Content-Type': metrics.contentType }),
    );
}
