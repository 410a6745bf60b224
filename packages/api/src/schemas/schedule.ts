import { z } from '@hono/zod-openapi';
import {
  CATCH_UP_POLICIES,
  MAX_CRON_LENGTH,
  MAX_HANDLER_NAME_LENGTH,
  MAX_METHOD_NAME_LENGTH,
  SCHEDULE_NAME_PATTERN,
  type Schedule,
} from '@jobs/core';
import { JobSchema } from './job.js';
import { text } from './requests.js';

const DateSchema = z.string().openapi({ format: 'date-time', example: '2026-01-01T02:30:00.000Z' });

/** A schedule name, as a path parameter. */
export const ScheduleNameSchema = z
  .string()
  .regex(SCHEDULE_NAME_PATTERN, 'must be 1 to 64 of A-Z a-z 0-9 _ . : -')
  .openapi({ example: 'nightly-report' });

export const ScheduleParamSchema = z.strictObject({
  name: ScheduleNameSchema.openapi({ param: { name: 'name', in: 'path' } }),
});

/** The fields of a schedule's definition; core's validateSchedule checks them again, deeply. */
const definitionFields = {
  cron: text(1, MAX_CRON_LENGTH).openapi({
    description:
      'Cron expression: 5 fields, or 6 with seconds first; month and day names; @yearly, ' +
      '@monthly, @weekly, @daily, @hourly.',
    example: '30 2 * * *',
  }),
  timezone: text(1, 64).optional().openapi({
    description: 'IANA timezone the expression is read in (default UTC).',
    example: 'Europe/Berlin',
  }),
  handler: text(1, MAX_HANDLER_NAME_LENGTH).openapi({ example: 'reports' }),
  method: text(1, MAX_METHOD_NAME_LENGTH).openapi({ example: 'daily' }),
  params: z
    .array(z.unknown())
    .optional()
    .openapi({ description: "The method's arguments for every job (default none)." }),
  options: z.record(z.string(), z.unknown()).optional().openapi({
    description:
      'Enqueue options of every job: priority, retries, queue, timeout, uniqueKey, tags, backoff (no delay or runAt).',
  }),
  catchUp: z.enum(CATCH_UP_POLICIES).optional().openapi({
    description:
      'Ticks missed while no daemon ran: none (skip), last (enqueue the latest; the default), all (each, at most 100).',
  }),
  enabled: z.boolean().optional().openapi({ description: 'false: create it paused.' }),
};

export const ScheduleCreateSchema = z
  .strictObject({ name: ScheduleNameSchema, ...definitionFields })
  .openapi('ScheduleCreateRequest');

export const ScheduleReplaceSchema = z
  .strictObject(definitionFields)
  .openapi('ScheduleReplaceRequest');

/** A schedule as the API shows it; see `Schedule` in @jobs/core for each field. */
export const ScheduleSchema = z
  .object({
    name: z.string(),
    cron: z.string(),
    timezone: z.string(),
    handler: z.string(),
    method: z.string(),
    params: z.array(z.unknown()),
    options: z.record(z.string(), z.unknown()),
    catchUp: z.enum(CATCH_UP_POLICIES),
    enabled: z.boolean(),
    status: z.enum(['active', 'paused', 'removed']).openapi({
      description:
        'active; paused (by hand, or enabled: false); removed (was in jobs.config.ts and no longer is: kept, not run).',
    }),
    source: z.enum(['config', 'api']).openapi({
      description: 'config: declared in jobs.config.ts (edit it there); api: created at run time.',
    }),
    removedAt: DateSchema.nullable(),
    lastTick: DateSchema.nullable().openapi({ description: 'The last tick handled.' }),
    nextTick: DateSchema.nullable().openapi({
      description: 'The next tick a job is enqueued for.',
    }),
    lastError: z.string().nullable().openapi({ description: 'Why the last tick made no job.' }),
    lastFiredBy: z
      .string()
      .nullable()
      .openapi({ description: 'The worker that handled the last tick.' }),
    createdAt: DateSchema,
    updatedAt: DateSchema,
    lastJob: z
      .object({
        id: z.string(),
        state: z.string(),
        createdAt: DateSchema,
        finishedAt: DateSchema.nullable(),
      })
      .nullable()
      .openapi({ description: 'The newest job it made (its last run and outcome).' }),
  })
  .openapi('Schedule');

export const ScheduleDetailSchema = ScheduleSchema.extend({
  nextTicks: z
    .array(DateSchema)
    .openapi({ description: 'The next 5 ticks (none while paused or removed).' }),
  recentJobs: z
    .array(JobSchema)
    .openapi({ description: 'The newest 10 jobs it made, newest first.' }),
}).openapi('ScheduleDetail');

export type WireSchedule = z.infer<typeof ScheduleSchema>;

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** A schedule on the wire, with its newest job (or null). */
export function toWireSchedule(
  s: Schedule,
  lastJob: { id: string; state: string; createdAt: Date; finishedAt: Date | null } | null,
): WireSchedule {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    handler: s.handler,
    method: s.method,
    params: [...s.params],
    options: { ...s.options },
    catchUp: s.catchUp,
    enabled: s.enabled,
    status: s.status,
    source: s.source,
    removedAt: iso(s.removedAt),
    lastTick: iso(s.lastTick),
    nextTick: iso(s.nextTick),
    lastError: s.lastError,
    lastFiredBy: s.lastFiredBy,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    lastJob:
      lastJob === null
        ? null
        : {
            id: lastJob.id,
            state: lastJob.state,
            createdAt: lastJob.createdAt.toISOString(),
            finishedAt: iso(lastJob.finishedAt),
          },
  };
}
