import { createRoute, z } from '@hono/zod-openapi';
import {
  IllegalTransitionError,
  JobNotFoundError,
  type UntypedEnqueueSpec,
  ValidationError,
  validateJobId,
} from '@jobs/core';
import type { Deps } from '../deps.js';
import { toListFilter } from '../filters.js';
import { createRouter } from '../router.js';
import { EnqueuedJobSchema, JobSchema, toWireEnqueuedJob, toWireJob } from '../schemas/job.js';
import {
  ActionSchema,
  EnqueueBatchSchema,
  EnqueueSchema,
  IdParamSchema,
  ListQuerySchema,
} from '../schemas/requests.js';
import { rejectUnstorable, UNSTORABLE } from '../text.js';
import { jsonBody as body, errorResponses as errors, jsonResponse as json } from './common.js';
import { applyAction, deleteJobs } from './job-actions.js';

const enqueueRoute = createRoute({
  method: 'post',
  path: '/jobs',
  tags: ['jobs'],
  summary: 'Enqueue one job',
  operationId: 'enqueueJob',
  request: { body: body(EnqueueSchema) },
  responses: {
    201: json(EnqueuedJobSchema, 'Created: the new job (created: true)'),
    200: json(
      EnqueuedJobSchema,
      'Deduplicated: its uniqueKey was held; the existing job that holds it (created: false)',
    ),
    ...errors(400, 401, 413, 415, 503),
  },
});

const EnqueuedBatchSchema = z
  .object({
    jobs: z
      .array(EnqueuedJobSchema)
      .openapi({ description: 'In input order; each says whether this request created it.' }),
    created: z.number().int().openapi({ description: 'How many jobs this request created.' }),
    deduplicated: z
      .number()
      .int()
      .openapi({ description: 'How many were answered with the job holding their uniqueKey.' }),
  })
  .openapi('EnqueuedBatch');

const batchRoute = createRoute({
  method: 'post',
  path: '/jobs/batch',
  operationId: 'enqueueJobs',
  tags: ['jobs'],
  summary: 'Enqueue many jobs in one statement (all or none)',
  request: { body: body(EnqueueBatchSchema) },
  responses: {
    201: json(EnqueuedBatchSchema, 'At least one job was created'),
    200: json(EnqueuedBatchSchema, 'Every job was deduplicated (its uniqueKey was held)'),
    ...errors(400, 401, 413, 415, 503),
  },
});

const JobPageSchema = z
  .object({ jobs: z.array(JobSchema), nextCursor: z.string().nullable() })
  .openapi('JobPage');

const listRoute = createRoute({
  method: 'get',
  path: '/jobs',
  tags: ['jobs'],
  summary: 'List jobs: filters, sort by id, cursor pagination',
  operationId: 'listJobs',
  request: { query: ListQuerySchema },
  responses: { 200: json(JobPageSchema, 'One page'), ...errors(400, 401, 503) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/jobs/{id}',
  tags: ['jobs'],
  summary: 'One job, with its attempt errors, progress and log lines',
  operationId: 'getJob',
  request: { params: IdParamSchema },
  responses: { 200: json(JobSchema, 'The job'), ...errors(400, 401, 404, 503) },
});

const ChangedJobSchema = z.object({ changed: z.literal(1), job: JobSchema });

const cancelRoute = createRoute({
  method: 'post',
  path: '/jobs/{id}/cancel',
  tags: ['jobs'],
  summary: 'Cancel a job (a running one is told to stop)',
  operationId: 'cancelJob',
  request: { params: IdParamSchema },
  responses: { 200: json(ChangedJobSchema, 'Cancelled'), ...errors(400, 401, 404, 409, 503) },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/jobs/{id}/retry',
  tags: ['jobs'],
  summary: 'Run a failed, cancelled, retrying or scheduled job now',
  operationId: 'retryJob',
  request: { params: IdParamSchema },
  responses: { 200: json(ChangedJobSchema, 'Queued again'), ...errors(400, 401, 404, 409, 503) },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/jobs/{id}',
  tags: ['jobs'],
  summary: 'Delete a job that is not running',
  operationId: 'deleteJob',
  request: { params: IdParamSchema },
  responses: {
    200: json(z.object({ changed: z.literal(1) }), 'Deleted'),
    ...errors(400, 401, 404, 409, 503),
  },
});

const ActionResultSchema = z
  .object({
    action: z.enum(['cancel', 'retry', 'delete']),
    matched: z.number().int().openapi({ description: 'Jobs looked at.' }),
    changed: z.number().int().openapi({ description: 'Jobs the action changed.' }),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'With a filter: pass it back to go on; null when done.' }),
  })
  .openapi('JobActionResult');

const actionsRoute = createRoute({
  method: 'post',
  path: '/jobs/actions',
  tags: ['jobs'],
  summary: 'Cancel, retry or delete a list of jobs, or those matching a filter',
  operationId: 'actOnJobs',
  request: { body: body(ActionSchema) },
  responses: {
    200: json(ActionResultSchema, 'How many changed'),
    ...errors(400, 401, 413, 415, 503),
  },
});

/** Jobs a filtered bulk action handles per page, and per request before it hands a cursor back. */
const ACTION_PAGE = 500;
const ACTION_MAX = 10_000;

/** An enqueue request as the client takes it (storable text checked, `runAt` as a Date). */
export function toSpec(input: z.infer<typeof EnqueueSchema>): UntypedEnqueueSpec {
  const { handler, method, params, runAt, ...options } = input;
  rejectUnstorable(params, 'params');
  return {
    handler,
    method,
    params: params ?? [],
    options: { ...options, ...(runAt === undefined ? {} : { runAt: new Date(runAt) }) },
  };
}

/** Enqueue, list, read, cancel, retry, delete and bulk actions, under /api. */
export function jobRoutes(deps: Deps) {
  const { store, client, changeLog } = deps;
  return createRouter()
    .openapi(enqueueRoute, async (c) => {
      const job = await client.enqueueUntyped(toSpec(c.req.valid('json')));
      return job.created
        ? c.json(toWireEnqueuedJob(job), 201)
        : c.json(toWireEnqueuedJob(job), 200);
    })
    .openapi(batchRoute, async (c) => {
      const { jobs } = c.req.valid('json');
      const specs = jobs.map((job, index) => {
        try {
          return toSpec(job);
        } catch (error) {
          if (error instanceof ValidationError) {
            throw new ValidationError(`jobs.${index}.${error.field}`, UNSTORABLE, { cause: error });
          }
          throw error;
        }
      });
      const stored = await client.enqueueManyUntyped(specs);
      const created = stored.filter((job) => job.created).length;
      const answer = {
        jobs: stored.map(toWireEnqueuedJob),
        created,
        deduplicated: stored.length - created,
      };
      return created > 0 ? c.json(answer, 201) : c.json(answer, 200);
    })
    .openapi(listRoute, async (c) => {
      const query = c.req.valid('query');
      const page = await store.jobList({
        ...toListFilter(query),
        limit: query.limit ?? 50,
        order: query.sort === 'oldest' ? 'asc' : 'desc',
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      });
      return c.json({ jobs: page.jobs.map(toWireJob), nextCursor: page.nextCursor }, 200);
    })
    .openapi(getRoute, async (c) => {
      const id = validateJobId(c.req.valid('param').id);
      const job = await store.jobGet({ id });
      if (job === null) throw new JobNotFoundError(id);
      return c.json(toWireJob(job), 200);
    })
    .openapi(cancelRoute, async (c) => {
      const job = await client.cancel(c.req.valid('param').id);
      changeLog.record([job], 'cancelled');
      return c.json({ changed: 1 as const, job: toWireJob(job) }, 200);
    })
    .openapi(retryRoute, async (c) => {
      const job = await client.retry(c.req.valid('param').id);
      changeLog.record([job], 'queued');
      return c.json({ changed: 1 as const, job: toWireJob(job) }, 200);
    })
    .openapi(deleteRoute, async (c) => {
      const id = validateJobId(c.req.valid('param').id);
      if ((await deleteJobs(deps, [id])) === 0) {
        const job = await store.jobGet({ id });
        if (job === null) throw new JobNotFoundError(id);
        throw new IllegalTransitionError(job.state, 'delete', 'cancel it first');
      }
      return c.json({ changed: 1 as const }, 200);
    })
    .openapi(actionsRoute, async (c) => {
      const { action, ids, filter, cursor } = c.req.valid('json');
      if ((ids === undefined) === (filter === undefined)) {
        throw new ValidationError('ids', 'give either ids or filter, not both or neither');
      }
      if (ids !== undefined) {
        if (cursor !== undefined) throw new ValidationError('cursor', 'goes with filter only');
        const unique = [...new Set(ids.map((id, i) => validateJobId(id, `ids.${i}`)))];
        const changed = await applyAction(deps, action, unique);
        return c.json({ action, matched: unique.length, changed, nextCursor: null }, 200);
      }
      const where = toListFilter(filter ?? {});
      let next: string | null = cursor ?? null;
      let matched = 0;
      let changed = 0;
      do {
        const page = await store.jobList({
          ...where,
          limit: ACTION_PAGE,
          ...(next === null ? {} : { cursor: next }),
        });
        matched += page.jobs.length;
        changed += await applyAction(
          deps,
          action,
          page.jobs.map((j) => j.id),
          page.jobs,
        );
        next = page.nextCursor;
      } while (next !== null && matched < ACTION_MAX);
      return c.json({ action, matched, changed, nextCursor: next }, 200);
    });
}
