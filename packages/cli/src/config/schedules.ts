import {
  type HandlerRegistry,
  type ScheduleSpec,
  ValidationError,
  validateSchedule,
} from '@jobs/core';
import type { ConfigProblem } from './validate.js';

/**
 * Checks the config's `schedules` as the API checks a posted schedule (cron, timezone, handler,
 * method, params against the method's schema, options), plus unique names. Returns the specs,
 * or the first problem naming `schedules.<i>.<field>` with the same message the API gives.
 */
export async function checkConfigSchedules(
  schedules: unknown,
  handlers: HandlerRegistry<unknown>,
): Promise<{ specs: ScheduleSpec[] } | { problem: ConfigProblem }> {
  if (schedules === undefined) return { specs: [] };
  if (!Array.isArray(schedules)) {
    return {
      problem: {
        key: 'schedules',
        problem: 'schedules must be an array',
        fix: "write schedules: [{ name, cron, handler, method, params? }] (e.g. cron: '0 3 * * *')",
      },
    };
  }
  const specs: ScheduleSpec[] = [];
  const names = new Set<string>();
  for (const [index, definition] of schedules.entries()) {
    try {
      const spec = await validateSchedule(definition, handlers);
      if (names.has(spec.name)) {
        throw new ValidationError('name', `"${spec.name}" is declared twice`);
      }
      names.add(spec.name);
      specs.push(spec);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const key = `schedules.${index}.${error.field}`;
      return {
        problem: {
          key,
          problem: `${key.slice(0, -error.field.length)}${error.message}`,
          fix: fixFor(error.field),
        },
      };
    }
  }
  return { specs };
}

function fixFor(field: string): string {
  const head = field.split('.')[0];
  switch (head) {
    case 'cron':
      return 'write a cron expression: 5 fields (minute hour day month weekday), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly';
    case 'timezone':
      return 'use an IANA timezone name such as "UTC" or "Europe/Berlin"';
    case 'handler':
    case 'method':
      return 'name a handler registered in handlers and one of its methods';
    case 'params':
      return "give the method's arguments as an array that passes its schema";
    default:
      return 'see the README section "Schedules" for the fields and their values';
  }
}
