import { ValidationError } from './errors.js';
import { FINAL_STATES } from './job.js';
import { validateQueueName } from './options.js';
import { isPlainObject } from './validate.js';

/**
 * Terminology. *Retention* is how long a finished job stays in the table after it reached its
 * final state (`finishedAt`). *Pruning* deletes the jobs whose retention has run out. A queue
 * may *override* the *defaults* for some states; the *effective* policy of a queue is its
 * overrides over the defaults.
 */

/** The states a retention applies to: the final ones. */
export const RETENTION_STATES = FINAL_STATES;

/** One of `RETENTION_STATES`. */
export type RetentionState = (typeof RETENTION_STATES)[number];

/** Milliseconds a finished job is kept: `0` deletes it at once, `null` keeps it forever. */
export type RetentionMs = number | null;

/** How long finished jobs are kept, per final state. */
export type RetentionPolicy = Readonly<Record<RetentionState, RetentionMs>>;

/** Overrides of some states' retention for one queue. */
export interface QueueRetention {
  /** The queue's name. */
  readonly name: string;
  /** Only the states set for this queue; the others follow the defaults. */
  readonly overrides: Readonly<Partial<Record<RetentionState, RetentionMs>>>;
}

/** Every retention setting: the defaults and the queues that differ. */
export interface RetentionSettings {
  readonly defaults: RetentionPolicy;
  readonly queues: readonly QueueRetention[];
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Longest retention that is not `null` (forever): 100 years. */
export const MAX_RETENTION_MS = 36_525 * DAY;

/** Defaults: completed jobs 1 day, cancelled 7 days, failed 14 days (they need looking at). */
export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({
  completed: DAY,
  failed: 14 * DAY,
  cancelled: 7 * DAY,
});

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: 7 * DAY,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/**
 * A duration as milliseconds: a number of milliseconds (`0`, `90000`) or text with a unit
 * (`'500ms'`, `'30s'`, `'15m'`, `'1h'`, `'7d'`, `'2w'`). Throws a ValidationError naming
 * `field` for anything else, a negative value or more than 100 years.
 */
export function parseDuration(value: unknown, field: string): number {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (match === null) {
      throw new ValidationError(
        field,
        "must be milliseconds or a duration such as '30s', '15m', '1h', '7d' or '2w'",
      );
    }
    ms = Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
  } else {
    throw new ValidationError(field, "must be milliseconds or a duration such as '1d'");
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw new ValidationError(field, 'must be a duration of 0 or more');
  }
  if (ms > MAX_RETENTION_MS) {
    throw new ValidationError(field, 'must be at most 100 years (null keeps jobs forever)');
  }
  return Math.round(ms);
}

/** A retention value: null (forever) or a duration (see `parseDuration`). */
export function parseRetentionMs(value: unknown, field: string): RetentionMs {
  return value === null ? null : parseDuration(value, field);
}

/** `ms` as short text: `forever`, `0` (at once), or the largest unit that divides it (`7d`). */
export function formatRetention(ms: RetentionMs): string {
  if (ms === null) return 'forever';
  if (ms === 0) return '0';
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Keys of `retention` in a config besides the states. */
const CONFIG_KEYS = [...RETENTION_STATES, 'queues'] as const;

/**
 * The `retention` section of a config (`{ completed: '1d', failed: '14d', cancelled: '7d',
 * queues: { audit: { completed: null } } }`) as settings; states left out keep the defaults.
 * Throws a ValidationError naming the field (`retention.queues.audit.completed`).
 */
export function parseRetentionConfig(value: unknown, field = 'retention'): RetentionSettings {
  if (!isPlainObject(value)) throw new ValidationError(field, 'must be an object');
  for (const key of Object.keys(value)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new ValidationError(`${field}.${key}`, `is not a key: use ${CONFIG_KEYS.join(', ')}`);
    }
  }
  const defaults = { ...DEFAULT_RETENTION };
  for (const state of RETENTION_STATES) {
    if (value[state] !== undefined) {
      defaults[state] = parseRetentionMs(value[state], `${field}.${state}`);
    }
  }
  const queues: QueueRetention[] = [];
  const given = value.queues;
  if (given !== undefined) {
    if (!isPlainObject(given)) throw new ValidationError(`${field}.queues`, 'must be an object');
    for (const [name, overrides] of Object.entries(given)) {
      validateQueueName(name, `${field}.queues.${name}`);
      queues.push({ name, overrides: parseOverrides(overrides, `${field}.queues.${name}`) });
    }
  }
  return { defaults, queues: queues.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/** One queue's overrides (`{ completed: null }`): only final states, each a retention. */
export function parseOverrides(
  value: unknown,
  field: string,
): Partial<Record<RetentionState, RetentionMs>> {
  if (!isPlainObject(value)) throw new ValidationError(field, 'must be an object');
  const overrides: Partial<Record<RetentionState, RetentionMs>> = {};
  for (const [key, ms] of Object.entries(value)) {
    if (!(RETENTION_STATES as readonly string[]).includes(key)) {
      throw new ValidationError(
        `${field}.${key}`,
        `is not a final state: use ${RETENTION_STATES.join(', ')}`,
      );
    }
    if (ms === undefined) continue;
    overrides[key as RetentionState] = parseRetentionMs(ms, `${field}.${key}`);
  }
  return overrides;
}

/** The policy in force for `queue`: its overrides over the defaults. */
export function effectiveRetention(settings: RetentionSettings, queue: string): RetentionPolicy {
  const entry = settings.queues.find((q) => q.name === queue);
  return { ...settings.defaults, ...entry?.overrides };
}
