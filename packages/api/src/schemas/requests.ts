import { z } from '@hono/zod-openapi';
import {
  DEPENDENCY_POLICIES,
  ENQUEUE_LIMITS,
  FLOW_LIMITS,
  JOB_STATES,
  MAX_HANDLER_NAME_LENGTH,
  MAX_METHOD_NAME_LENGTH,
  MAX_RETRY_DELAY_MS,
  MAX_RETRY_FACTOR,
  MAX_UNIQUE_FOR_SECONDS,
  QUEUE_LIMIT_BOUNDS,
  QUEUE_NAME_PATTERN,
} from '@jobs/core';
import { isStorableText, UNSTORABLE } from '../text.js';
import { JobIdSchema } from './job.js';
import { integerBetween, numberBetween, queryIntegerBetween } from './numbers.js';

/** Text of `min..max` characters that PostgreSQL can store (see `isStorableText`). */
export function text(min: number, max: number) {
  return z.string().min(min).max(max).refine(isStorableText, UNSTORABLE);
}

/** A time given as ISO-8601 with a zone (`Z` or an offset), between the years 1 and 9999. */
export const TimeSchema = z.iso
  .datetime({ offset: true })
  .refine((s) => {
    const year = new Date(s).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'must fall between the years 1 and 9999')
  .openapi({ example: '2026-01-01T12:00:00Z' });

/** A queue name. */
export const QueueNameSchema = z.string().regex(QUEUE_NAME_PATTERN).openapi({ example: 'emails' });

const RetryPolicySchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('fixed'),
      delayMs: integerBetween(0, MAX_RETRY_DELAY_MS),
      jitter: numberBetween(0, 1).optional(),
    }),
    z.strictObject({
      kind: z.literal('exponential'),
      baseMs: integerBetween(0, MAX_RETRY_DELAY_MS),
      factor: numberBetween(1, MAX_RETRY_FACTOR).optional(),
      maxMs: integerBetween(0, MAX_RETRY_DELAY_MS),
      jitter: numberBetween(0, 1).optional(),
    }),
  ])
  .openapi('RetryPolicy');

const L = ENQUEUE_LIMITS;

/** What a dependent does when a dependency fails for good or is cancelled. */
export const DependencyPolicySchema = z.enum(DEPENDENCY_POLICIES).openapi('DependencyPolicy', {
  description: 'cancel (default): the dependent is cancelled, saying why; run: it runs anyway.',
});

/** One job to enqueue. Bounds come from core's ENQUEUE_LIMITS, which checks them again. */
export const EnqueueSchema = z
  .strictObject({
    handler: text(1, MAX_HANDLER_NAME_LENGTH).openapi({ example: 'App\\Services\\SomeClass' }),
    method: text(1, MAX_METHOD_NAME_LENGTH).openapi({ example: 'send' }),
    params: z
      .array(z.unknown())
      .optional()
      .openapi({ description: 'Arguments for the method, in order (default none).' }),
    queue: QueueNameSchema.optional(),
    priority: integerBetween(L.minPriority, L.maxPriority).optional(),
    delay: numberBetween(0, L.maxDelaySeconds)
      .optional()
      .openapi({ description: 'Seconds to wait before it may run; not with runAt.' }),
    runAt: TimeSchema.optional().openapi({ description: 'Not to run before; not with delay.' }),
    retries: integerBetween(0, L.maxRetries).optional(),
    timeout: numberBetween(0, L.maxTimeoutSeconds, { exclusiveMin: true })
      .optional()
      .openapi({ description: 'Per-attempt time limit in seconds.' }),
    uniqueKey: text(1, L.maxUniqueKeyLength).optional().openapi({
      description:
        'A job holding this key (unfinished, or as uniqueFor/uniqueStates say) is answered instead of a new one: 200 with created false.',
    }),
    uniqueFor: numberBetween(0, MAX_UNIQUE_FOR_SECONDS, { exclusiveMin: true }).optional().openapi({
      description:
        'Seconds: a finished job with the same key created less than this long ago holds it too (in uniqueStates; default completed). Needs uniqueKey.',
    }),
    uniqueStates: z
      .array(z.enum(JOB_STATES))
      .max(JOB_STATES.length)
      .optional()
      .openapi({
        description:
          'States of an earlier job with the same key that hold it; unfinished states always do. Needs uniqueKey.',
        example: ['completed'],
      }),
    tags: z
      .array(text(1, L.maxTagLength))
      .max(L.maxTags, { error: `must hold at most ${L.maxTags}` })
      .optional(),
    backoff: RetryPolicySchema.optional(),
    concurrencyKey: text(1, QUEUE_LIMIT_BOUNDS.maxConcurrencyKeyLength).optional().openapi({
      description:
        "A label such as a customer id: at most the queue's keyConcurrency (default 1) running jobs share it, across every worker.",
    }),
    dependsOn: z.array(JobIdSchema).max(FLOW_LIMITS.maxDependencies).optional().openapi({
      description: 'Ids of existing jobs to wait for: the job stays waiting until then.',
    }),
    onDependencyFailure: DependencyPolicySchema.optional(),
  })
  .openapi('EnqueueRequest');

/** Largest batch `POST /api/jobs/batch` takes. */
export const MAX_BATCH = 1000;

export const EnqueueBatchSchema = z
  .strictObject({ jobs: z.array(EnqueueSchema).min(1).max(MAX_BATCH) })
  .openapi('EnqueueBatchRequest');

/** A list of values given as `a,b` or as a repeated parameter; each checked by `item`. */
function listOf<T extends z.ZodType>(item: T, max: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',') : value),
    z.array(item).min(1).max(max),
  );
}

/** Filters shared by the list query and bulk actions. */
const filterFields = {
  state: listOf(z.enum(JOB_STATES), JOB_STATES.length)
    .optional()
    .openapi({ description: 'One or more states, comma-separated.', example: ['failed'] }),
  queue: listOf(QueueNameSchema, 50)
    .optional()
    .openapi({ description: 'One or more queues, comma-separated.' }),
  handler: text(1, MAX_HANDLER_NAME_LENGTH).optional(),
  method: text(1, MAX_METHOD_NAME_LENGTH).optional(),
  text: text(1, 200)
    .optional()
    .openapi({ description: 'Case-insensitive text to find in the params or the errors.' }),
  createdFrom: TimeSchema.optional().openapi({ description: 'Created at or after.' }),
  createdTo: TimeSchema.optional().openapi({ description: 'Created before.' }),
};

/** Largest page `GET /api/jobs` returns. */
export const MAX_PAGE = 500;

/** The sorts `GET /api/jobs` offers, all by id so that cursors stay stable. */
export const SORTS = ['newest', 'oldest'] as const;

export const ListQuerySchema = z.strictObject({
  ...filterFields,
  sort: z.enum(SORTS).optional().openapi({ description: 'By id: newest (default) or oldest.' }),
  limit: queryIntegerBetween(1, MAX_PAGE).optional().openapi({ example: 50 }),
  cursor: text(1, 200).optional().openapi({ description: 'nextCursor of the previous page.' }),
});

/** A list filter as the bulk actions take it in their body. */
export const FilterSchema = z.strictObject(filterFields).openapi('JobFilter');

/** Largest id list of a bulk action. */
export const MAX_ACTION_IDS = 1000;

export const ACTIONS = ['cancel', 'retry', 'delete'] as const;

export const ActionSchema = z
  .strictObject({
    action: z.enum(ACTIONS),
    ids: z.array(JobIdSchema).min(1).max(MAX_ACTION_IDS).optional(),
    filter: FilterSchema.optional(),
    cursor: text(1, 200)
      .optional()
      .openapi({ description: 'nextCursor of the previous answer, to go on with a filter.' }),
  })
  .openapi('JobActionRequest');

export const IdParamSchema = z.strictObject({
  id: JobIdSchema.openapi({ param: { name: 'id', in: 'path' } }),
});

export const QueueParamSchema = z.strictObject({
  name: QueueNameSchema.openapi({ param: { name: 'name', in: 'path' } }),
});
