import { Cron } from 'croner';
import { ValidationError } from '../errors.js';

/**
 * Terminology
 * - schedule: a named rule "enqueue handler.method(params) at every tick of this cron
 *   expression, in this timezone".
 * - tick: one instant the expression names (a Date, to the second).
 * - catch-up: what happens to ticks that came while no daemon was running (see `planTicks`).
 *
 * Cron expressions are parsed by croner (5 fields, or 6 with seconds first; names of months and
 * days; `@yearly`, `@monthly`, `@weekly`, `@daily`, `@hourly`). Daylight saving time follows
 * croner's rules: a local time that does not exist (02:30 on the spring-forward day in
 * Europe/Berlin) runs at the first instant after the gap (03:00); a local time that happens
 * twice (02:30 on the fall-back day) runs once, at its first occurrence.
 */

/** The longest cron expression accepted. */
export const MAX_CRON_LENGTH = 200;

/** The timezone of a schedule that names none. */
export const DEFAULT_TIMEZONE = 'UTC';

/** Returns `value` if it is an IANA timezone name the platform knows; else a ValidationError. */
export function validateTimezone(value: unknown, field = 'timezone'): string {
  if (typeof value !== 'string' || value === '' || value.length > 64) {
    throw new ValidationError(field, 'must be an IANA timezone name such as "Europe/Berlin"');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw new ValidationError(
      field,
      `"${value}" is not a known IANA timezone (for example "UTC" or "Europe/Berlin")`,
    );
  }
  return value;
}

/** Croner's reading of `expression` in `timezone`, never started (no timer). */
function cronOf(expression: string, timezone: string): Cron {
  return new Cron(expression, { timezone, paused: true });
}

/**
 * Returns `value` if it is a cron expression croner reads and that has at least one tick;
 * otherwise a ValidationError naming `field` with croner's reason.
 */
export function validateCron(value: unknown, timezone = DEFAULT_TIMEZONE, field = 'cron'): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(field, 'must be a cron expression such as "0 * * * *" or "@hourly"');
  }
  if (value.length > MAX_CRON_LENGTH) {
    throw new ValidationError(field, `must be at most ${MAX_CRON_LENGTH} characters long`);
  }
  let cron: Cron;
  try {
    cron = cronOf(value, timezone);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : '';
    throw new ValidationError(field, `is not a valid cron expression: ${reason}`);
  }
  if (cron.nextRun(new Date(0)) === null) {
    throw new ValidationError(field, 'never matches a date (for example 30 February)');
  }
  return value;
}

/**
 * The first tick of `expression` in `timezone` strictly after `after`, or null when it has no
 * more. Pure: the time is an argument.
 */
export function nextTick(expression: string, timezone: string, after: Date): Date | null {
  return cronOf(expression, timezone).nextRun(after);
}

/** A reusable `nextTick` for one expression (parsing it once). */
export function tickStepper(expression: string, timezone: string): (after: Date) => Date | null {
  const cron = cronOf(expression, timezone);
  return (after) => cron.nextRun(after);
}

/** The next `count` ticks strictly after `after` (fewer when the expression runs out). */
export function nextTicks(
  expression: string,
  timezone: string,
  after: Date,
  count: number,
): Date[] {
  const cron = cronOf(expression, timezone);
  const ticks: Date[] = [];
  let from = after;
  while (ticks.length < count) {
    const tick = cron.nextRun(from);
    if (tick === null) break;
    ticks.push(tick);
    from = tick;
  }
  return ticks;
}
