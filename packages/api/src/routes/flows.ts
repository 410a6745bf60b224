import { createRoute, z } from '@hono/zod-openapi';
import {
  JobNotFoundError,
  MAX_FLOW_VIEW,
  type UntypedEnqueueSpec,
  ValidationError,
  validateJobId,
} from '@jobs/core';
import type { Deps } from '../deps.js';
import { createRouter } from '../router.js';
import {
  FlowRequestSchema,
  FlowResponseSchema,
  JobFlowSchema,
  toWireFlow,
} from '../schemas/flow.js';
import { toWireJob } from '../schemas/job.js';
import { queryIntegerBetween } from '../schemas/numbers.js';
import { IdParamSchema } from '../schemas/requests.js';
import { UNSTORABLE } from '../text.js';
import { jsonBody as body, errorResponses as errors, jsonResponse as json } from './common.js';
import { toSpec } from './jobs.js';

const flowRoute = createRoute({
  method: 'post',
  path: '/flows',
  tags: ['flows'],
  summary: 'Enqueue jobs that wait for each other (checked as a whole, stored all or none)',
  operationId: 'enqueueFlow',
  request: { body: body(FlowRequestSchema) },
  responses: {
    201: json(FlowResponseSchema, 'The stored jobs, by key'),
    ...errors(400, 401, 413, 415, 503),
  },
});

const jobFlowRoute = createRoute({
  method: 'get',
  path: '/jobs/{id}/flow',
  tags: ['flows'],
  summary: 'The jobs linked to a job by dependencies, with their states',
  operationId: 'getJobFlow',
  request: {
    params: IdParamSchema,
    query: z.strictObject({
      limit: queryIntegerBetween(1, MAX_FLOW_VIEW)
        .optional()
        .openapi({ description: `Most jobs to read (default 200, at most ${MAX_FLOW_VIEW}).` }),
    }),
  },
  responses: { 200: json(JobFlowSchema, 'The flow'), ...errors(400, 401, 404, 503) },
});

/** Flows: enqueue a graph, read the graph around a job. Under /api. */
export function flowRoutes(deps: Deps) {
  const { client } = deps;
  return createRouter()
    .openapi(flowRoute, async (c) => {
      const { jobs } = c.req.valid('json');
      // Built with fromEntries: a key such as `__proto__` stays an own property.
      const specs = Object.fromEntries(
        Object.entries(jobs).map(([key, job]) => {
          const { dependsOn, onDependencyFailure, ...rest } = job;
          let spec: UntypedEnqueueSpec;
          try {
            spec = toSpec(rest);
          } catch (error) {
            if (error instanceof ValidationError) {
              throw new ValidationError(`jobs.${key}.${error.field}`, UNSTORABLE, { cause: error });
            }
            throw error;
          }
          const flowJob = {
            ...spec,
            ...(dependsOn === undefined ? {} : { dependsOn }),
            ...(onDependencyFailure === undefined ? {} : { onDependencyFailure }),
          };
          return [key, flowJob] as const;
        }),
      );
      const stored = await client.enqueueFlowUntyped({ jobs: specs });
      const wire = Object.fromEntries(
        Object.entries(stored.jobs).map(([key, job]) => [key, toWireJob(job)]),
      );
      return c.json({ jobs: wire }, 201);
    })
    .openapi(jobFlowRoute, async (c) => {
      const id = validateJobId(c.req.valid('param').id);
      const flow = await client.flow(id, { limit: c.req.valid('query').limit ?? 200 });
      if (flow === null) throw new JobNotFoundError(id);
      return c.json(toWireFlow(flow), 200);
    });
}
