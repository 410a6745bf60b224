import { JobsError } from '../errors.js';
import type { HandlerRegistry } from '../handler-types.js';
import type { Job } from '../job.js';
import { CLIENT_DEFAULTS, type ClientDefaults, resolveClientDefaults } from '../options.js';
import {
  type ScheduleDefinition,
  scheduleJob,
  validateSchedule,
  validateScheduleName,
} from './definition.js';
import type { Schedule, ScheduleChange, ScheduleStore } from './store.js';

/** A schedule change the store refused: unknown name, name taken, or declared in the config. */
export class ScheduleRefusedError extends JobsError {
  /** The schedule's name. */
  readonly schedule: string;
  readonly reason: Extract<ScheduleChange, { ok: false }>['reason'];

  constructor(name: string, reason: ScheduleRefusedError['reason']) {
    super(
      reason === 'not_found' ? 'not_found' : 'conflict',
      reason === 'not_found'
        ? `schedule "${name}" does not exist`
        : reason === 'exists'
          ? `schedule "${name}" already exists`
          : `schedule "${name}" is declared in jobs.config.ts: change or remove it there`,
    );
    this.schedule = name;
    this.reason = reason;
  }
}

/** Run-time schedules for application code: the same checks as the API's. */
export interface ScheduleClient {
  list(): Promise<Schedule[]>;
  /** One schedule, or null. */
  get(name: string): Promise<Schedule | null>;
  /** Adds a run-time schedule (ValidationError naming the field; ScheduleRefusedError if taken). */
  create(definition: ScheduleDefinition): Promise<Schedule>;
  /** Replaces a run-time schedule's definition. */
  replace(definition: ScheduleDefinition): Promise<Schedule>;
  /** Deletes a run-time schedule (or one removed from the config); its jobs stay. */
  delete(name: string): Promise<Schedule>;
  pause(name: string): Promise<Schedule>;
  /** Resumes from the next tick after now. */
  resume(name: string): Promise<Schedule>;
  /** Enqueues one job of the schedule now (its tick null). */
  trigger(name: string): Promise<Job>;
}

/** A ScheduleClient over `store`, checking definitions and jobs against `registry`. */
export function createScheduleClient(
  store: ScheduleStore,
  registry: HandlerRegistry<unknown>,
  options: { readonly defaults?: Partial<ClientDefaults> } = {},
): ScheduleClient {
  const defaults = resolveClientDefaults({ ...CLIENT_DEFAULTS, ...options.defaults });
  const applied = (name: string, change: ScheduleChange): Schedule => {
    if (!change.ok) throw new ScheduleRefusedError(name, change.reason);
    return change.schedule;
  };
  return {
    list: () => store.scheduleList(),
    get: (name) => store.scheduleGet({ name: validateScheduleName(name) }),
    async create(definition) {
      const schedule = await validateSchedule(definition, registry, defaults);
      return applied(schedule.name, await store.scheduleCreate({ schedule }));
    },
    async replace(definition) {
      const schedule = await validateSchedule(definition, registry, defaults);
      return applied(schedule.name, await store.scheduleReplace({ schedule }));
    },
    async delete(name) {
      return applied(name, await store.scheduleDelete({ name: validateScheduleName(name) }));
    },
    async pause(name) {
      const change = await store.scheduleEnabledSet({
        name: validateScheduleName(name),
        enabled: false,
      });
      return applied(name, change);
    },
    async resume(name) {
      const change = await store.scheduleEnabledSet({
        name: validateScheduleName(name),
        enabled: true,
      });
      return applied(name, change);
    },
    async trigger(name) {
      const job = await store.scheduleTrigger({
        name: validateScheduleName(name),
        make: (schedule) => scheduleJob(registry, schedule, defaults),
      });
      if (job === null) throw new ScheduleRefusedError(name, 'not_found');
      return job;
    },
  };
}
