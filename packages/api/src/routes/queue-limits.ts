import { createRoute, z } from '@hono/zod-openapi';
import { QUEUE_LIMIT_BOUNDS, type QueueUsage, validateQueueLimitsPatch } from '@jobs/core';
import type { Deps } from '../deps.js';
import { createRouter } from '../router.js';
import { integerBetween } from '../schemas/numbers.js';
import { QueueNameSchema, QueueParamSchema } from '../schemas/requests.js';
import { errorResponses, jsonBody, jsonResponse } from './common.js';

const { maxConcurrency, maxRate, maxPeriodMs } = QUEUE_LIMIT_BOUNDS;

/** Most starts per period, across every worker. */
export const RateLimitSchema = z
  .strictObject({
    limit: integerBetween(1, maxRate).openapi({ example: 50 }),
    periodMs: integerBetween(1, maxPeriodMs).openapi({ example: 1000 }),
  })
  .openapi('RateLimit');

/** A queue's limits across every worker; null: no limit of that kind. */
export const QueueLimitsSchema = z
  .object({
    concurrency: z.number().int().nullable().openapi({
      description: 'Most jobs of the queue running at once, across every worker.',
    }),
    keyConcurrency: z.number().int().nullable().openapi({
      description: 'Most running jobs sharing one concurrencyKey (null: the default, 1).',
    }),
    rateLimit: RateLimitSchema.nullable().openapi({
      description: 'Most job starts in any window of periodMs, across every worker.',
    }),
  })
  .openapi('QueueLimits');

const QueueLimitsPatchSchema = z
  .strictObject({
    concurrency: integerBetween(1, maxConcurrency).nullable().optional(),
    keyConcurrency: integerBetween(1, maxConcurrency).nullable().optional(),
    rateLimit: RateLimitSchema.nullable().optional(),
  })
  .openapi('QueueLimitsPatch', {
    description: 'A key left out keeps its value; null removes that limit.',
    example: { concurrency: 3, rateLimit: { limit: 50, periodMs: 1000 } },
  });

/** A queue's limits and how much of them is in use now. */
export const QueueLimitsStateSchema = z
  .object({
    name: QueueNameSchema,
    paused: z.boolean(),
    limits: QueueLimitsSchema,
    usage: z.object({
      running: z.number().int().openapi({ description: 'Jobs running now, on every worker.' }),
      recentStarts: z
        .number()
        .int()
        .openapi({ description: 'Starts inside the current rate window (0 without a rate).' }),
    }),
  })
  .openapi('QueueLimitsState');

const setLimitsRoute = createRoute({
  method: 'patch',
  path: '/queues/{name}',
  operationId: 'setQueueLimits',
  tags: ['queues'],
  summary: "Change a queue's limits across every worker",
  description:
    'Concurrency, per-key concurrency and rate limit of the queue, enforced in the claim by ' +
    'every worker. Takes effect at once: waiting workers are woken. A queue that has no jobs ' +
    'yet is created with these settings.',
  request: { params: QueueParamSchema, body: jsonBody(QueueLimitsPatchSchema) },
  responses: {
    200: jsonResponse(z.object({ queue: QueueLimitsStateSchema }), 'The limits now in force'),
    ...errorResponses(400, 401, 415, 503),
  },
});

/** A queue's settings row as the API sends it. */
export function toQueueLimitsState(queue: QueueUsage): z.infer<typeof QueueLimitsStateSchema> {
  return {
    name: queue.name,
    paused: queue.paused,
    limits: {
      concurrency: queue.concurrency,
      keyConcurrency: queue.keyConcurrency,
      rateLimit: queue.rateLimit === null ? null : { ...queue.rateLimit },
    },
    usage: { running: queue.running, recentStarts: queue.recentStarts },
  };
}

/** `PATCH /api/queues/{name}`: a queue's limits. */
export function queueLimitRoutes({ store }: Deps) {
  return createRouter().openapi(setLimitsRoute, async (c) => {
    const { name } = c.req.valid('param');
    // The schema checked the body; core's check drops the keys left out.
    const limits = validateQueueLimitsPatch(c.req.valid('json'));
    const queue = await store.queueLimitsSet({ name, limits });
    return c.json({ queue: toQueueLimitsState(queue) }, 200);
  });
}
