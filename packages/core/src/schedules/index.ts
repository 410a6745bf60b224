export type { ScheduleClient } from './client.js';
export { createScheduleClient, ScheduleRefusedError } from './client.js';
export {
  DEFAULT_TIMEZONE,
  MAX_CRON_LENGTH,
  nextTick,
  nextTicks,
  validateCron,
  validateTimezone,
} from './cron.js';
export type { ScheduleDefinition, ScheduleJobOptions, ScheduleSpec } from './definition.js';
export {
  SCHEDULE_NAME_PATTERN,
  scheduleJob,
  validateSchedule,
  validateScheduleName,
} from './definition.js';
export type { CatchUp, TickPlan, TickState } from './plan.js';
export {
  CATCH_UP_POLICIES,
  DEFAULT_CATCH_UP,
  MAX_CATCH_UP,
  ON_TIME_MS,
  planTicks,
} from './plan.js';
export type {
  JobScheduleRef,
  Schedule,
  ScheduleChange,
  ScheduleFireResult,
  ScheduleJobMaker,
  ScheduleSource,
  ScheduleStatus,
  ScheduleStore,
} from './store.js';
