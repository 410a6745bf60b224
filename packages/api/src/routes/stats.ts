import { createRoute, z } from '@hono/zod-openapi';
import { JOB_STATES, type JobState } from '@jobs/core';
import type { Deps } from '../deps.js';
import { errorBody } from '../errors.js';
import { createRouter } from '../router.js';
import { queryIntegerBetween } from '../schemas/numbers.js';
import { QueueNameSchema, QueueParamSchema } from '../schemas/requests.js';
import { errorResponses, jsonResponse } from './common.js';
import { QueueLimitsSchema, QueueLimitsStateSchema, toQueueLimitsState } from './queue-limits.js';

const CountsSchema = z
  .object(
    Object.fromEntries(JOB_STATES.map((s) => [s, z.number().int()])) as Record<
      JobState,
      z.ZodNumber
    >,
  )
  .openapi('StateCounts');

const StatsSchema = z
  .object({
    byState: CountsSchema,
    byQueue: z.array(z.object({ queue: z.string(), byState: CountsSchema })),
    throughput: z.object({
      minutes: z.number().int(),
      points: z.array(
        z.object({ at: z.string(), completed: z.number().int(), failed: z.number().int() }),
      ),
    }),
  })
  .openapi('Stats');

/** Longest window of the throughput series, in minutes (one day). */
export const MAX_WINDOW_MINUTES = 24 * 60;

const statsRoute = createRoute({
  method: 'get',
  path: '/stats',
  operationId: 'getStats',
  tags: ['stats'],
  summary: 'Counts by state and queue, and completed/failed per minute',
  request: {
    query: z.strictObject({
      window: queryIntegerBetween(1, MAX_WINDOW_MINUTES)
        .optional()
        .openapi({ description: 'Minutes of throughput to return (default 60).', example: 60 }),
    }),
  },
  responses: { 200: jsonResponse(StatsSchema, 'The stats'), ...errorResponses(400, 401, 503) },
});

const QueueSchema = z
  .object({
    name: z.string(),
    paused: z.boolean(),
    byState: CountsSchema,
    limits: QueueLimitsSchema,
    usage: QueueLimitsStateSchema.shape.usage,
  })
  .openapi('Queue');

const queuesRoute = createRoute({
  method: 'get',
  path: '/queues',
  operationId: 'listQueues',
  tags: ['queues'],
  summary: 'Queues that have jobs, are paused or limited, with their counts, limits and use',
  description: 'A queue with no jobs that is neither paused nor limited is not listed.',
  responses: {
    200: jsonResponse(z.object({ queues: z.array(QueueSchema) }), 'The queues'),
    ...errorResponses(401, 503),
  },
});

const QueueInfoSchema = z.object({
  queue: z.object({ name: QueueNameSchema, paused: z.boolean() }),
});

const PauseQuerySchema = z.strictObject({
  create: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      description:
        'true: pause the queue even though it has no jobs yet (it is created). Without it, a ' +
        'queue that has no jobs and was never paused is refused with 404.',
    }),
});

const pauseRoute = createRoute({
  method: 'post',
  path: '/queues/{name}/pause',
  operationId: 'pauseQueue',
  tags: ['queues'],
  summary: 'Stop workers claiming from a queue',
  description:
    'Refuses (404) a queue that has no jobs and was never paused, unless `create=true`, so ' +
    'that a mistyped name does not create a queue.',
  request: { params: QueueParamSchema, query: PauseQuerySchema },
  responses: {
    200: jsonResponse(QueueInfoSchema, 'Paused'),
    ...errorResponses(400, 401, 404, 503),
  },
});

const resumeRoute = createRoute({
  method: 'post',
  path: '/queues/{name}/resume',
  operationId: 'resumeQueue',
  tags: ['queues'],
  summary: 'Let workers claim from a queue again',
  description: 'Refuses (404) a queue that has no jobs and was never paused.',
  request: { params: QueueParamSchema },
  responses: {
    200: jsonResponse(QueueInfoSchema, 'Resumed'),
    ...errorResponses(400, 401, 404, 503),
  },
});

/** The 404 body for a queue name that has no jobs and no settings. */
function unknownQueue(name: string, hint: string) {
  return errorBody(
    'not_found',
    `queue "${name}" does not exist: it has no jobs and was never paused${hint}`,
    'name',
  );
}

const NO_LIMITS = { concurrency: null, keyConcurrency: null, rateLimit: null };

function zeroCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

/** Stats and queues, under /api. */
export function statsRoutes({ store }: Deps) {
  return createRouter()
    .openapi(statsRoute, async (c) => {
      const minutes = c.req.valid('query').window ?? 60;
      const [counts, points] = await Promise.all([
        store.jobCount(),
        store.jobThroughput({ minutes }),
      ]);
      return c.json(
        {
          byState: { ...counts.byState },
          byQueue: counts.byQueue.map((q) => ({ queue: q.queue, byState: { ...q.byState } })),
          throughput: {
            minutes,
            points: points.map((p) => ({
              at: p.at.toISOString(),
              completed: p.completed,
              failed: p.failed,
            })),
          },
        },
        200,
      );
    })
    .openapi(queuesRoute, async (c) => {
      const [queues, counts, usage] = await Promise.all([
        store.queueList(),
        store.jobCount(),
        store.queueUsageList(),
      ]);
      const byQueue = new Map(counts.byQueue.map((q) => [q.queue, q.byState]));
      const limited = usage.filter(
        (q) => q.concurrency !== null || q.keyConcurrency !== null || q.rateLimit !== null,
      );
      const names = new Set([
        ...queues.map((q) => q.name),
        ...byQueue.keys(),
        ...limited.map((q) => q.name),
      ]);
      const paused = new Map(queues.map((q) => [q.name, q.paused]));
      const state = new Map(usage.map((q) => [q.name, toQueueLimitsState(q)]));
      return c.json(
        {
          queues: [...names].sort().map((name) => ({
            name,
            paused: paused.get(name) ?? false,
            byState: { ...(byQueue.get(name) ?? zeroCounts()) },
            limits: state.get(name)?.limits ?? NO_LIMITS,
            usage: state.get(name)?.usage ?? { running: 0, recentStarts: 0 },
          })),
        },
        200,
      );
    })
    .openapi(pauseRoute, async (c) => {
      const { name } = c.req.valid('param');
      const create = c.req.valid('query').create === 'true';
      const queue = await store.queuePause({ name, create });
      if (queue === null) {
        return c.json(
          unknownQueue(name, ' (add ?create=true to pause it before its first job)'),
          404,
        );
      }
      return c.json({ queue: { name: queue.name, paused: queue.paused } }, 200);
    })
    .openapi(resumeRoute, async (c) => {
      const { name } = c.req.valid('param');
      const queue = await store.queueResume({ name });
      if (queue === null) return c.json(unknownQueue(name, ''), 404);
      return c.json({ queue: { name: queue.name, paused: queue.paused } }, 200);
    });
}
