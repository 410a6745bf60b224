import { z } from '@hono/zod-openapi';
import { FLOW_KEY_PATTERN, FLOW_LIMITS, isFlowKey, type JobFlow } from '@jobs/core';
import { JobIdSchema, JobSchema, JobStateSchema } from './job.js';
import { DependencyPolicySchema, EnqueueSchema } from './requests.js';

/** A key of a job in a flow. */
const FlowKeySchema = z
  .string()
  .regex(FLOW_KEY_PATTERN)
  .refine(isFlowKey, 'is a reserved name')
  .openapi({ example: 'resize1' });

/** One job of a flow: an enqueue request whose `dependsOn` names keys of the flow or `{ id }`. */
const FlowJobSchema = EnqueueSchema.extend({
  dependsOn: z
    .array(z.union([FlowKeySchema, z.strictObject({ id: JobIdSchema })]))
    .max(FLOW_LIMITS.maxDependencies)
    .optional()
    .openapi({
      description: 'Keys of jobs of this flow, or { id } of existing jobs, to wait for.',
    }),
}).openapi('FlowJob');

export const FlowRequestSchema = z
  .strictObject({
    jobs: z.record(FlowKeySchema, FlowJobSchema).openapi({
      description: `Jobs by key (1 to ${FLOW_LIMITS.maxJobs}); checked as a whole, stored all or none.`,
    }),
  })
  .openapi('FlowRequest');

export const FlowResponseSchema = z
  .object({ jobs: z.record(z.string(), JobSchema) })
  .openapi('FlowResponse');

export const JobFlowSchema = z
  .object({
    id: JobIdSchema,
    nodes: z.array(
      z.object({
        id: JobIdSchema,
        handler: z.string(),
        method: z.string(),
        state: JobStateSchema,
        dependsOn: z.array(z.object({ id: JobIdSchema, policy: DependencyPolicySchema })),
        cancelledBy: JobIdSchema.nullable().openapi({
          description: 'The dependency whose failure or cancellation cancelled this job.',
        }),
      }),
    ),
    truncated: z.boolean().openapi({ description: 'True when the graph holds more jobs.' }),
  })
  .openapi('JobFlow');

/** The flow as the API shows it (already plain JSON). */
export function toWireFlow(flow: JobFlow): z.infer<typeof JobFlowSchema> {
  return {
    id: flow.id,
    nodes: flow.nodes.map((n) => ({ ...n, dependsOn: [...n.dependsOn] })),
    truncated: flow.truncated,
  };
}
