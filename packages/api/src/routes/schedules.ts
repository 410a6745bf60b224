import { createRoute, z } from '@hono/zod-openapi';
import {
  type ClientDefaults,
  type HandlerRegistry,
  nextTicks,
  type Schedule,
  type ScheduleChange,
  type ScheduleStore,
  StoreUnavailableError,
  scheduleJob,
  validateSchedule,
} from '@jobs/core';
import type { Context } from 'hono';
import { errorBody } from '../errors.js';
import { createRouter } from '../router.js';
import { JobSchema, toWireJob } from '../schemas/job.js';
import {
  ScheduleCreateSchema,
  ScheduleDetailSchema,
  ScheduleParamSchema,
  ScheduleReplaceSchema,
  ScheduleSchema,
  toWireSchedule,
} from '../schemas/schedule.js';
import { rejectUnstorable } from '../text.js';
import { jsonBody as body, errorResponses as errors, jsonResponse as json } from './common.js';

/** What the schedule routes need. */
export interface ScheduleDeps {
  /** Null when the app's store keeps no schedules: every route answers 503. */
  readonly schedules: ScheduleStore | null;
  readonly registry: HandlerRegistry<unknown>;
  readonly defaults: ClientDefaults;
}

const tags = ['schedules'];
const one = (description: string) => json(z.object({ schedule: ScheduleSchema }), description);

const listRoute = createRoute({
  method: 'get',
  path: '/schedules',
  operationId: 'listSchedules',
  tags,
  summary: 'Every schedule, with its next tick and its last job',
  responses: {
    200: json(z.object({ schedules: z.array(ScheduleSchema) }), 'The schedules'),
    ...errors(401, 503),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/schedules/{name}',
  operationId: 'getSchedule',
  tags,
  summary: 'One schedule: definition, state, the next 5 ticks and its recent jobs',
  request: { params: ScheduleParamSchema },
  responses: { 200: json(ScheduleDetailSchema, 'The schedule'), ...errors(400, 401, 404, 503) },
});

const createScheduleRoute = createRoute({
  method: 'post',
  path: '/schedules',
  operationId: 'createSchedule',
  tags,
  summary: 'Create a run-time schedule',
  description:
    'Checked like an enqueue of its job (handler, method, params against the method schema, ' +
    'options) plus the cron expression and timezone; 409 when the name is taken.',
  request: { body: body(ScheduleCreateSchema) },
  responses: { 201: one('The stored schedule'), ...errors(400, 401, 404, 409, 413, 415, 503) },
});

const replaceRoute = createRoute({
  method: 'put',
  path: '/schedules/{name}',
  operationId: 'replaceSchedule',
  tags,
  summary: 'Replace a run-time schedule’s definition',
  description: 'A schedule of jobs.config.ts is changed in the config (409 here).',
  request: { params: ScheduleParamSchema, body: body(ScheduleReplaceSchema) },
  responses: { 200: one('The stored schedule'), ...errors(400, 401, 404, 409, 413, 415, 503) },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/schedules/{name}',
  operationId: 'deleteSchedule',
  tags,
  summary: 'Delete a run-time schedule (or one removed from the config); its jobs stay',
  request: { params: ScheduleParamSchema },
  responses: { 200: one('The deleted schedule'), ...errors(400, 401, 404, 409, 503) },
});

const pauseRoute = createRoute({
  method: 'post',
  path: '/schedules/{name}/pause',
  operationId: 'pauseSchedule',
  tags,
  summary: 'Pause a schedule: no job is enqueued until it is resumed',
  request: { params: ScheduleParamSchema },
  responses: { 200: one('Paused'), ...errors(400, 401, 404, 503) },
});

const resumeRoute = createRoute({
  method: 'post',
  path: '/schedules/{name}/resume',
  operationId: 'resumeSchedule',
  tags,
  summary: 'Resume a schedule from its next tick (ticks of the pause are not caught up)',
  request: { params: ScheduleParamSchema },
  responses: { 200: one('Resumed'), ...errors(400, 401, 404, 503) },
});

const triggerRoute = createRoute({
  method: 'post',
  path: '/schedules/{name}/trigger',
  operationId: 'triggerSchedule',
  tags,
  summary: 'Enqueue one job of the schedule now (its tick recorded as null)',
  request: { params: ScheduleParamSchema },
  responses: { 201: json(z.object({ job: JobSchema }), 'The job'), ...errors(400, 401, 404, 503) },
});

function notFound(name: string) {
  return errorBody('not_found', `schedule "${name}" does not exist`, 'name');
}

/** The 404/409 answer of a refused change. */
function refused(c: Context, name: string, change: Extract<ScheduleChange, { ok: false }>) {
  if (change.reason === 'not_found') return c.json(notFound(name), 404);
  if (change.reason === 'exists') {
    return c.json(errorBody('conflict', `schedule "${name}" already exists`, 'name'), 409);
  }
  return c.json(
    errorBody(
      'conflict',
      `schedule "${name}" is declared in jobs.config.ts: change or remove it there`,
      'name',
    ),
    409,
  );
}

/** Schedules under /api: list, read, create, replace, delete, pause, resume, trigger. */
export function scheduleRoutes(deps: ScheduleDeps) {
  const { registry, defaults } = deps;
  const store = (): ScheduleStore => {
    if (deps.schedules === null) throw new StoreUnavailableError('this server keeps no schedules');
    return deps.schedules;
  };
  const lastJobOf = async (s: Schedule) => {
    const [job] = await store().scheduleJobs({ name: s.name, limit: 1 });
    return job === undefined ? null : job;
  };
  const wire = async (s: Schedule) => toWireSchedule(s, await lastJobOf(s));
  const check = async (input: Record<string, unknown>) => {
    rejectUnstorable(input.params, 'params');
    return validateSchedule(input, registry, defaults);
  };
  return createRouter()
    .openapi(listRoute, async (c) => {
      const schedules = await store().scheduleList();
      return c.json({ schedules: await Promise.all(schedules.map(wire)) }, 200);
    })
    .openapi(getRoute, async (c) => {
      const { name } = c.req.valid('param');
      const schedule = await store().scheduleGet({ name });
      if (schedule === null) return c.json(notFound(name), 404);
      const recent = await store().scheduleJobs({ name, limit: 10 });
      const upcoming =
        schedule.status === 'active'
          ? nextTicks(schedule.cron, schedule.timezone, new Date(), 5)
          : [];
      return c.json(
        {
          ...toWireSchedule(schedule, recent[0] ?? null),
          nextTicks: upcoming.map((d) => d.toISOString()),
          recentJobs: recent.map(toWireJob),
        },
        200,
      );
    })
    .openapi(createScheduleRoute, async (c) => {
      const spec = await check(c.req.valid('json'));
      const change = await store().scheduleCreate({ schedule: spec });
      if (!change.ok) return refused(c, spec.name, change);
      return c.json({ schedule: await wire(change.schedule) }, 201);
    })
    .openapi(replaceRoute, async (c) => {
      const { name } = c.req.valid('param');
      const spec = await check({ ...c.req.valid('json'), name });
      const change = await store().scheduleReplace({ schedule: spec });
      if (!change.ok) return refused(c, name, change);
      return c.json({ schedule: await wire(change.schedule) }, 200);
    })
    .openapi(deleteRoute, async (c) => {
      const { name } = c.req.valid('param');
      const change = await store().scheduleDelete({ name });
      if (!change.ok) return refused(c, name, change);
      return c.json({ schedule: toWireSchedule(change.schedule, null) }, 200);
    })
    .openapi(pauseRoute, async (c) => {
      const { name } = c.req.valid('param');
      const change = await store().scheduleEnabledSet({ name, enabled: false });
      if (!change.ok) return c.json(notFound(name), 404);
      return c.json({ schedule: await wire(change.schedule) }, 200);
    })
    .openapi(resumeRoute, async (c) => {
      const { name } = c.req.valid('param');
      const change = await store().scheduleEnabledSet({ name, enabled: true });
      if (!change.ok) return c.json(notFound(name), 404);
      return c.json({ schedule: await wire(change.schedule) }, 200);
    })
    .openapi(triggerRoute, async (c) => {
      const { name } = c.req.valid('param');
      const job = await store().scheduleTrigger({
        name,
        make: (schedule) => scheduleJob(registry, schedule, defaults),
      });
      if (job === null) return c.json(notFound(name), 404);
      return c.json({ job: toWireJob(job) }, 201);
    });
}
