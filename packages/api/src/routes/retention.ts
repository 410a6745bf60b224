import { createRoute, z } from '@hono/zod-openapi';
import {
  effectiveRetention,
  hasRetention,
  JOB_STATES,
  type PruneParams,
  parseDuration,
  RETENTION_STATES,
  type RetentionState,
} from '@jobs/core';
import type { Deps } from '../deps.js';
import { errorBody } from '../errors.js';
import { createRouter } from '../router.js';
import { QueueNameSchema, TimeSchema, text } from '../schemas/requests.js';
import { errorResponses, jsonResponse } from './common.js';

/** A list given as `a,b` or as a repeated parameter. */
function listOf<T extends z.ZodType>(item: T, max: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',') : value),
    z.array(item).min(1).max(max),
  );
}

const PruneQuerySchema = z.strictObject({
  state: listOf(z.enum(JOB_STATES), JOB_STATES.length)
    .optional()
    .openapi({
      description:
        'Final states to prune, comma-separated (default all three). Other states are refused: ' +
        'running and waiting jobs are never pruned.',
      example: ['completed'],
    }),
  queue: listOf(QueueNameSchema, 50)
    .optional()
    .openapi({ description: 'Only these queues, comma-separated (default all).' }),
  finishedBefore: TimeSchema.optional().openapi({
    description:
      'Jobs that finished before this time. Without it (and olderThan), each ' +
      "queue's retention decides.",
  }),
  olderThan: text(1, 40).optional().openapi({
    description:
      "Jobs that finished longer ago than this: '90s', '15m', '1h', '7d' or milliseconds.",
    example: '1h',
  }),
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'true: count what would be deleted, delete nothing.' }),
});

const ByQueueSchema = z.array(
  z.object({ queue: z.string(), state: z.enum(RETENTION_STATES), count: z.number().int() }),
);

const PruneAnswerSchema = z
  .object({
    deleted: z.number().int().openapi({ description: 'Jobs deleted (dry run: that would be).' }),
    dryRun: z.boolean(),
    byQueue: ByQueueSchema,
  })
  .openapi('PruneResult');

const pruneRoute = createRoute({
  method: 'delete',
  path: '/jobs',
  operationId: 'pruneJobs',
  tags: ['retention'],
  summary: 'Delete finished jobs now (never running or waiting ones); answers the count',
  description:
    'Deletes completed, failed or cancelled jobs in small batches, one process at a time ' +
    "(waits up to 30 s for a pruner under way, else 409). Without finishedBefore or olderThan, each queue's " +
    'retention decides. The job log gets one line per batch.',
  request: { query: PruneQuerySchema },
  responses: {
    200: jsonResponse(PruneAnswerSchema, 'What was deleted'),
    ...errorResponses(400, 401, 409, 503),
  },
});

const RetentionMsSchema = z.number().int().nullable().openapi({
  description: 'Milliseconds a finished job is kept; 0 deletes at once, null keeps forever.',
});

const PolicySchema = z
  .object({ completed: RetentionMsSchema, failed: RetentionMsSchema, cancelled: RetentionMsSchema })
  .openapi('RetentionPolicy');

const RetentionSchema = z
  .object({
    defaults: PolicySchema,
    queues: z.array(
      z.object({
        name: z.string(),
        overrides: z.object({
          completed: RetentionMsSchema.optional(),
          failed: RetentionMsSchema.optional(),
          cancelled: RetentionMsSchema.optional(),
        }),
        effective: PolicySchema,
      }),
    ),
    table: z
      .object({
        totalBytes: z.number().int(),
        tableBytes: z.number().int(),
        indexBytes: z.number().int(),
        liveRows: z.number().int(),
        deadRows: z.number().int(),
        deadShare: z.number().openapi({ description: 'Dead rows over all rows, 0 to 1.' }),
        lastVacuumAt: z.string().nullable(),
        autovacuum: z.boolean().openapi({
          description:
            'Whether autovacuum runs on the table; off, the rows pruned are never reclaimed.',
        }),
      })
      .openapi('JobTableStats'),
  })
  .openapi('Retention');

const retentionRoute = createRoute({
  method: 'get',
  path: '/retention',
  operationId: 'getRetention',
  tags: ['retention'],
  summary: "Retention in force (defaults and queues' overrides) and the jobs table's size",
  responses: { 200: jsonResponse(RetentionSchema, 'The retention'), ...errorResponses(401, 503) },
});

const UNSUPPORTED = errorBody('not_supported', 'this store does not support retention');

/** Retention and pruning, under /api. */
export function retentionRoutes({ store, client, changeLog }: Deps) {
  return createRouter()
    .openapi(retentionRoute, async (c) => {
      if (!hasRetention(store)) return c.json(UNSUPPORTED, 503);
      const [settings, table] = await Promise.all([store.retentionGet(), store.jobTableStats()]);
      return c.json(
        {
          defaults: { ...settings.defaults },
          queues: settings.queues.map((q) => ({
            name: q.name,
            overrides: { ...q.overrides },
            effective: { ...effectiveRetention(settings, q.name) },
          })),
          table: {
            ...table,
            lastVacuumAt: table.lastVacuumAt === null ? null : table.lastVacuumAt.toISOString(),
          },
        },
        200,
      );
    })
    .openapi(pruneRoute, async (c) => {
      if (!hasRetention(store)) return c.json(UNSUPPORTED, 503);
      const query = c.req.valid('query');
      const params: PruneParams = {
        ...(query.state === undefined ? {} : { states: query.state as RetentionState[] }),
        ...(query.queue === undefined ? {} : { queues: query.queue }),
        ...(query.finishedBefore === undefined
          ? {}
          : { finishedBefore: new Date(query.finishedBefore) }),
        ...(query.dryRun === 'true' ? { dryRun: true } : {}),
        onBatch: (batch) => changeLog.pruned(batch),
      };
      // olderThan is text ('1h'): core's duration rules read it and name the field.
      const result = await client.prune(
        query.olderThan === undefined
          ? params
          : { ...params, olderThanMs: parseDuration(query.olderThan, 'olderThan') },
      );
      if (result.busy) {
        return c.json(
          errorBody('pruner_busy', 'another process is pruning; try again in a moment'),
          409,
        );
      }
      return c.json(
        {
          deleted: result.deleted,
          dryRun: result.dryRun,
          byQueue: result.byQueue.map((q) => ({ ...q })),
        },
        200,
      );
    });
}
