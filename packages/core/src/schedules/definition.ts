import { UnknownHandlerError, ValidationError } from '../errors.js';
import type { HandlerRegistry } from '../handler-types.js';
import type { JsonValue } from '../job.js';
import {
  CLIENT_DEFAULTS,
  type ClientDefaults,
  ENQUEUE_OPTION_KEYS,
  type EnqueueOptions,
} from '../options.js';
import { prepareJob } from '../prepare.js';
import type { NewJob } from '../store.js';
import { findUnstorable, UNSTORABLE } from '../text.js';
import { checkString, isPlainObject } from '../validate.js';
import { DEFAULT_TIMEZONE, validateCron, validateTimezone } from './cron.js';
import { CATCH_UP_POLICIES, type CatchUp, DEFAULT_CATCH_UP } from './plan.js';

/** What a schedule name looks like: it is a path segment of the API (`/api/schedules/{name}`). */
export const SCHEDULE_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Options of the jobs a schedule makes: an enqueue's, without a delay or a run time. */
export type ScheduleJobOptions = Omit<EnqueueOptions, 'delay' | 'runAt'>;

/** A schedule as written in `jobs.config.ts` or sent to `POST /api/schedules`. */
export interface ScheduleDefinition {
  /** Unique name, 1..64 of `A-Z a-z 0-9 _ . : -`. */
  readonly name: string;
  /** Cron expression: 5 fields, or 6 with seconds first; month and day names; `@hourly` etc. */
  readonly cron: string;
  /** IANA timezone the expression is read in (default `UTC`). */
  readonly timezone?: string;
  /** A registered handler. */
  readonly handler: string;
  /** One of its methods. */
  readonly method: string;
  /** The arguments of every job it makes (default none), checked like an enqueue's. */
  readonly params?: readonly JsonValue[];
  /** Enqueue options of every job it makes (priority, retries, queue, timeout, tags, ...). */
  readonly options?: ScheduleJobOptions;
  /** What to do with ticks missed while no daemon ran (default `last`). */
  readonly catchUp?: CatchUp;
  /** False: declared but paused. Absent: a new schedule is enabled and a stored one keeps its state. */
  readonly enabled?: boolean;
}

/** A definition after validation: defaults filled in, params as the method's schema made them. */
export interface ScheduleSpec {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly handler: string;
  readonly method: string;
  readonly params: readonly JsonValue[];
  readonly options: { readonly [key: string]: JsonValue };
  readonly catchUp: CatchUp;
  /** Null when the definition did not say. */
  readonly enabled: boolean | null;
}

const DEFINITION_KEYS: ReadonlySet<string> = new Set([
  'name',
  'cron',
  'timezone',
  'handler',
  'method',
  'params',
  'options',
  'catchUp',
  'enabled',
]);

/** Options an enqueue takes that make no sense for a schedule (its ticks decide the time). */
const TIMING_OPTIONS = ['delay', 'runAt'] as const;

/** Returns `value` if it is a valid schedule name; otherwise a ValidationError for `field`. */
export function validateScheduleName(value: unknown, field = 'name'): string {
  return checkString(value, field, { minLength: 1, maxLength: 64, pattern: SCHEDULE_NAME_PATTERN });
}

/**
 * Checks a schedule definition as it arrives (untyped: config, API, CLI) against the
 * allow-list and the method's schema, exactly as an enqueue of its job would be checked.
 * Every problem is a ValidationError naming the field (`cron`, `timezone`, `handler`,
 * `method`, `params.0`, `options.priority`).
 */
export async function validateSchedule(
  input: unknown,
  registry: HandlerRegistry<unknown>,
  defaults: ClientDefaults = CLIENT_DEFAULTS,
): Promise<ScheduleSpec> {
  if (!isPlainObject(input)) throw new ValidationError('schedule', 'must be an object');
  for (const key of Object.keys(input)) {
    if (!DEFINITION_KEYS.has(key)) {
      throw new ValidationError(
        key,
        `is not a schedule field (use ${[...DEFINITION_KEYS].join(', ')})`,
      );
    }
  }
  const name = validateScheduleName(input.name);
  const timezone =
    input.timezone === undefined || input.timezone === null
      ? DEFAULT_TIMEZONE
      : validateTimezone(input.timezone);
  const cron = validateCron(input.cron, timezone);
  const catchUp = input.catchUp ?? DEFAULT_CATCH_UP;
  if (!(CATCH_UP_POLICIES as readonly unknown[]).includes(catchUp)) {
    throw new ValidationError('catchUp', `must be one of ${CATCH_UP_POLICIES.join(', ')}`);
  }
  const enabled = input.enabled ?? null;
  if (enabled !== null && typeof enabled !== 'boolean') {
    throw new ValidationError('enabled', 'must be true or false');
  }
  const options = input.options ?? {};
  if (!isPlainObject(options)) throw new ValidationError('options', 'must be an object');
  for (const key of Object.keys(options)) {
    if ((TIMING_OPTIONS as readonly string[]).includes(key)) {
      throw new ValidationError(
        `options.${key}`,
        'is not allowed: the schedule decides when jobs run',
      );
    }
    if (!(ENQUEUE_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new ValidationError(`options.${key}`, 'is not an enqueue option');
    }
  }
  const unstorable = findUnstorable(options, 'options');
  if (unstorable !== null) throw new ValidationError(unstorable, UNSTORABLE);
  const job = await scheduleJob(
    registry,
    { handler: input.handler, method: input.method, params: input.params, options },
    defaults,
  );
  return {
    name,
    cron,
    timezone,
    handler: job.handler,
    method: job.method,
    params: job.params,
    options: options as { readonly [key: string]: JsonValue },
    catchUp: catchUp as CatchUp,
    enabled,
  };
}

/**
 * The job a schedule makes at a tick: its handler, method, params and options checked like an
 * enqueue's, with the allow-list's refusals as ValidationErrors naming `handler` or `method`
 * and option errors named `options.<key>`.
 */
export async function scheduleJob(
  registry: HandlerRegistry<unknown>,
  spec: {
    readonly handler: unknown;
    readonly method: unknown;
    readonly params?: unknown;
    readonly options?: unknown;
  },
  defaults: ClientDefaults = CLIENT_DEFAULTS,
): Promise<NewJob> {
  try {
    return await prepareJob(registry, spec, defaults);
  } catch (error) {
    if (error instanceof UnknownHandlerError) {
      throw new ValidationError(error.method === undefined ? 'handler' : 'method', error.message, {
        cause: error,
      });
    }
    if (error instanceof ValidationError && isOptionField(error.field)) {
      const head = `${error.field}: `;
      const message = error.message.startsWith(head)
        ? error.message.slice(head.length)
        : error.message;
      throw new ValidationError(`options.${error.field}`, message, { cause: error });
    }
    throw error;
  }
}

/** Fields `normalizeEnqueue` names for problems with an option (`priority`, `tags.2`). */
function isOptionField(field: string): boolean {
  const head = field.split('.')[0] ?? field;
  return ['priority', 'retries', 'queue', 'timeout', 'uniqueKey', 'tags', 'backoff'].includes(head);
}
