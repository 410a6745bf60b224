import { z } from '@hono/zod-openapi';
import {
  type EnqueuedJob,
  ERRORS_KEPT_FIRST,
  ERRORS_KEPT_LAST,
  JOB_CHANGES,
  JOB_ID_PATTERN,
  JOB_STATES,
  type Job,
  traceIdOf,
} from '@jobs/core';

/** A job id on the wire: a positive bigint in decimal. */
export const JobIdSchema = z
  .string()
  .regex(JOB_ID_PATTERN, 'must be a positive integer written in decimal')
  .openapi({ example: '42' });

/** One of the job states. */
export const JobStateSchema = z.enum(JOB_STATES).openapi('JobState');

/** One of the job changes told by the event stream. */
export const JobChangeSchema = z.enum(JOB_CHANGES).openapi('JobChange');

/** Any JSON value (params elements, progress, result). */
const JsonSchema = z.unknown().openapi({ description: 'any JSON value' });

/** A date on the wire: ISO-8601 in UTC. */
const DateSchema = z.string().openapi({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' });

const RetryPolicyWire = z.union([
  z.object({
    kind: z.literal('fixed'),
    delayMs: z.number(),
    jitter: z.number().optional(),
  }),
  z.object({
    kind: z.literal('exponential'),
    baseMs: z.number(),
    factor: z.number().optional(),
    maxMs: z.number(),
    jitter: z.number().optional(),
  }),
]);

/** A job as the API shows it; see `Job` in @jobs/core for what each field means. */
export const JobSchema = z
  .object({
    id: JobIdSchema,
    queue: z.string(),
    handler: z.string(),
    method: z.string(),
    params: JsonSchema.openapi({
      description:
        'The arguments, a JSON array. A row written by hand before the database checked it ' +
        '(migration 0008) may hold another JSON value, shown as stored; such a job fails.',
    }),
    priority: z.number().int(),
    state: JobStateSchema,
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    runAt: DateSchema,
    createdAt: DateSchema,
    startedAt: DateSchema.nullable(),
    finishedAt: DateSchema.nullable(),
    leaseOwner: z.string().nullable(),
    leaseExpiresAt: DateSchema.nullable(),
    timeoutMs: z.number().int().nullable(),
    progress: JsonSchema,
    result: JsonSchema,
    errors: z
      .array(
        z.object({
          attempt: z.number().int(),
          message: z.string(),
          name: z.string(),
          stack: z.string().optional(),
          at: z.string(),
          workerId: z.string().optional(),
        }),
      )
      .openapi({
        description: `One entry per failed attempt, oldest first; the first ${ERRORS_KEPT_FIRST} and the last ${ERRORS_KEPT_LAST} are kept.`,
      }),
    errorsDropped: z.number().int().openapi({
      description: 'How many attempt errors were dropped between the first and the last kept.',
    }),
    logs: z.array(z.object({ at: z.string(), line: z.string() })),
    uniqueKey: z.string().nullable(),
    tags: z.array(z.string()),
    backoff: RetryPolicyWire,
    schedule: z.object({ name: z.string(), tick: DateSchema.nullable() }).nullable().openapi({
      description:
        'The schedule and tick that made it (tick null: triggered by hand); null otherwise.',
    }),
    concurrencyKey: z.string().nullable().openapi({
      description: "Jobs sharing this key run at most the queue's keyConcurrency at once.",
    }),
    traceId: z.string().nullable().openapi({
      description:
        'The OpenTelemetry trace of its enqueue and attempts (32 hex digits), when a tracing SDK was registered at enqueue.',
    }),
  })
  .openapi('Job');

/** A job as an enqueue answers it: the job and whether this enqueue created it. */
export const EnqueuedJobSchema = JobSchema.extend({
  created: z.boolean().openapi({
    description:
      'true: this request created the job; false: its uniqueKey was held and this is the existing job that holds it (unchanged).',
  }),
}).openapi('EnqueuedJob');

/** An enqueued job as sent: `EnqueuedJobSchema`'s output type. */
export type WireEnqueuedJob = z.infer<typeof EnqueuedJobSchema>;

/** `toWireJob` with the enqueue's `created` flag. */
export function toWireEnqueuedJob(job: EnqueuedJob): WireEnqueuedJob {
  return { ...toWireJob(job), created: job.created };
}

/** A job as sent: `JobSchema`'s output type. */
export type WireJob = z.infer<typeof JobSchema>;

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/**
 * A job as sent on the wire: dates as ISO strings, every array a copy. Params that are not an
 * array (an old hand-written row) are sent as stored.
 */
export function toWireJob(job: Job): WireJob {
  return {
    id: job.id,
    queue: job.queue,
    handler: job.handler,
    method: job.method,
    params: Array.isArray(job.params) ? [...job.params] : job.params,
    priority: job.priority,
    state: job.state,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    runAt: job.runAt.toISOString(),
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    leaseOwner: job.leaseOwner,
    leaseExpiresAt: iso(job.leaseExpiresAt),
    timeoutMs: job.timeoutMs,
    progress: job.progress,
    result: job.result,
    errors: job.errors.map((e) => ({ ...e })),
    errorsDropped: job.errorsDropped,
    logs: job.logs.map((l) => ({ ...l })),
    uniqueKey: job.uniqueKey,
    tags: [...job.tags],
    backoff: { ...job.backoff },
    schedule:
      job.schedule === undefined || job.schedule === null
        ? null
        : { name: job.schedule.name, tick: iso(job.schedule.tick) },
    concurrencyKey: job.concurrencyKey,
    traceId: traceIdOf(job.traceContext),
  };
}
