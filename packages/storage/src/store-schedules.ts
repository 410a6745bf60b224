import type { ScheduleStore } from '@jobs/core';
import type { Connection } from './connection.js';
import { mapped } from './errors.js';
import {
  createSchedule,
  deleteSchedule,
  fireSchedules,
  getSchedule,
  listSchedules,
  replaceSchedule,
  scheduleJobs,
  setScheduleEnabled,
  syncSchedules,
  triggerSchedule,
} from './sql/schedules.js';

/** The ScheduleStore port over `c`. */
export function scheduleMethods(c: Connection): ScheduleStore {
  return {
    scheduleSync: ({ schedules }) => mapped(() => syncSchedules(c, schedules)),
    scheduleList: () => mapped(() => listSchedules(c)),
    scheduleGet: ({ name }) => mapped(() => getSchedule(c, name)),
    scheduleCreate: ({ schedule }) => mapped(() => createSchedule(c, schedule)),
    scheduleReplace: ({ schedule }) => mapped(() => replaceSchedule(c, schedule)),
    scheduleDelete: ({ name }) => mapped(() => deleteSchedule(c, name)),
    scheduleEnabledSet: ({ name, enabled }) => mapped(() => setScheduleEnabled(c, name, enabled)),
    scheduleTrigger: ({ name, make }) => mapped(() => triggerSchedule(c, name, make)),
    scheduleFire: ({ make, by }) => mapped(() => fireSchedules(c, make, by)),
    scheduleJobs: ({ name, limit }) => mapped(() => scheduleJobs(c, name, limit)),
  };
}
