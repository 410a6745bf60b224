import { ValidationError } from './errors.js';
import type { DependencyPolicy } from './flow.js';
import type { JobState, RetryPolicy } from './job.js';
import { MAX_PARAMS_BYTES, toJsonParams } from './json.js';
import { isHandlerName, isMethodName } from './names.js';
import { validateConcurrencyKey } from './queue-limits.js';
import { DEFAULT_RETRY_POLICY, MAX_RETRIES_DEFAULT, validateRetryPolicy } from './retry-policy.js';
import type { NewJob } from './store.js';
import { normalizeUniqueRule } from './unique.js';
import { checkInteger, checkNumber, checkString, isPlainObject } from './validate.js';

/** How a caller may shape one job when enqueuing it. */
export interface EnqueueOptions {
  /** Higher runs first; an integer in ±1,000,000 (default 0). */
  readonly priority?: number;
  /** Seconds to wait before it may run (fractions allowed); not with `runAt`. */
  readonly delay?: number;
  /** Not to run before this time; not with `delay`. */
  readonly runAt?: Date;
  /** How many times a failed attempt is tried again (0..1000); `maxAttempts = retries + 1`. */
  readonly retries?: number;
  /** The queue to wait in (default `default`). */
  readonly queue?: string;
  /** Per-attempt time limit in seconds (fractions allowed, up to one week). */
  readonly timeout?: number;
  /** At most one unfinished job may hold this key (1..255 characters). */
  readonly uniqueKey?: string;
  /**
   * Seconds: a job with the same key created less than this long ago also holds the key once
   * finished (in `uniqueStates`; default unfinished and `completed`). Needs `uniqueKey`.
   */
  readonly uniqueFor?: number;
  /**
   * States of an earlier job with the same key that make this enqueue return it instead of a
   * new job. Unfinished states always count; list the final ones that should too
   * (`['completed']`). Needs `uniqueKey`.
   */
  readonly uniqueStates?: readonly JobState[];
  /** Up to 20 labels of 1..64 characters, for search. */
  readonly tags?: readonly string[];
  /**
   * A label (a customer id, say; 1..255 characters): at most the queue's `keyConcurrency`
   * (default 1) running jobs share it, across every worker.
   */
  readonly concurrencyKey?: string;
  /** Backoff between attempts (default `DEFAULT_RETRY_POLICY`). */
  readonly backoff?: RetryPolicy;
  /** Ids of existing jobs to wait for: the job stays `waiting` until they finish. */
  readonly dependsOn?: readonly string[];
  /** What to do if a dependency fails for good or is cancelled (default `cancel`). */
  readonly onDependencyFailure?: DependencyPolicy;
}

/** Options of `enqueue` that make a job wait for others; handled apart from the job's own. */
export const DEPENDENCY_OPTION_KEYS = [
  'dependsOn',
  'onDependencyFailure',
] as const satisfies readonly (keyof EnqueueOptions)[];

/** What a client fills in when an enqueue leaves it out. */
export interface ClientDefaults {
  readonly queue: string;
  readonly priority: number;
  readonly retries: number;
  readonly backoff: RetryPolicy;
}

/** One job to enqueue, before validation. */
export interface EnqueueSpec {
  readonly handler: string;
  readonly method: string;
  /** Arguments for the method: an array of JSON values. */
  readonly params: unknown;
  readonly options?: EnqueueOptions | undefined;
}

/** Bounds every enqueue is checked against. */
export const ENQUEUE_LIMITS = Object.freeze({
  minPriority: -1_000_000,
  maxPriority: 1_000_000,
  maxDelaySeconds: 10 * 365 * 24 * 60 * 60,
  maxRetries: 1000,
  maxTimeoutSeconds: 7 * 24 * 60 * 60,
  maxUniqueKeyLength: 255,
  maxTags: 20,
  maxTagLength: 64,
  maxParamsBytes: MAX_PARAMS_BYTES,
});

/** What a queue name looks like. */
export const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The defaults a client starts from: queue `default`, priority 0, `MAX_RETRIES_DEFAULT` retries. */
export const CLIENT_DEFAULTS: ClientDefaults = Object.freeze({
  queue: 'default',
  priority: 0,
  retries: MAX_RETRIES_DEFAULT,
  backoff: DEFAULT_RETRY_POLICY,
});

/** The options `enqueue` accepts: the keys of `EnqueueOptions`. */
export const ENQUEUE_OPTION_KEYS = [
  'priority',
  'delay',
  'runAt',
  'retries',
  'queue',
  'timeout',
  'uniqueKey',
  'uniqueFor',
  'uniqueStates',
  'tags',
  'backoff',
  'concurrencyKey',
] as const satisfies readonly (keyof EnqueueOptions)[];

const OPTION_KEYS: ReadonlySet<string> = new Set(ENQUEUE_OPTION_KEYS);

/** Returns `value` if it is a valid queue name; otherwise throws a ValidationError for `field`. */
export function validateQueueName(value: unknown, field = 'queue'): string {
  return checkString(value, field, { minLength: 1, maxLength: 64, pattern: QUEUE_NAME_PATTERN });
}

/** Fills `CLIENT_DEFAULTS` in under `overrides`, checking each (`defaults.queue`, ...). */
export function resolveClientDefaults(overrides: Partial<ClientDefaults> = {}): ClientDefaults {
  const merged = { ...CLIENT_DEFAULTS, ...overrides };
  const { minPriority, maxPriority, maxRetries } = ENQUEUE_LIMITS;
  return {
    queue: validateQueueName(merged.queue, 'defaults.queue'),
    priority: checkInteger(merged.priority, 'defaults.priority', minPriority, maxPriority),
    retries: checkInteger(merged.retries, 'defaults.retries', 0, maxRetries),
    backoff: validateRetryPolicy(merged.backoff, 'defaults.backoff'),
  };
}

/**
 * Checks one enqueue request (as if it came untyped) and turns it into the `NewJob` the store
 * inserts. Every error is a ValidationError naming the field (`priority`, `params.2`).
 */
export function normalizeEnqueue(
  spec: EnqueueSpec,
  defaults: ClientDefaults = CLIENT_DEFAULTS,
  { maxParamsBytes = ENQUEUE_LIMITS.maxParamsBytes }: { readonly maxParamsBytes?: number } = {},
): NewJob {
  if (!isHandlerName(spec.handler)) throw new ValidationError('handler', 'is not a valid name');
  if (!isMethodName(spec.method)) throw new ValidationError('method', 'is not a valid name');
  const options: unknown = spec.options ?? NO_OPTIONS;
  if (!isPlainObject(options)) throw new ValidationError('options', 'must be an object');
  if (options !== NO_OPTIONS) {
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.has(key)) throw new ValidationError(key, 'is not an enqueue option');
    }
  }
  // JSON has no undefined: null means "not given" as well.
  const given = (key: string): unknown => options[key] ?? undefined;
  const limits = ENQUEUE_LIMITS;
  const priority = given('priority') ?? defaults.priority;
  const retries = given('retries') ?? defaults.retries;
  const timeout = given('timeout');
  const uniqueKey = given('uniqueKey');
  const tags = given('tags');
  const backoff = given('backoff');
  const key =
    uniqueKey === undefined
      ? null
      : checkString(uniqueKey, 'uniqueKey', { minLength: 1, maxLength: limits.maxUniqueKeyLength });
  const uniqueRule = normalizeUniqueRule(key, given('uniqueFor'), given('uniqueStates'));
  const concurrencyKey = given('concurrencyKey');
  const job: Mutable<NewJob> = {
    queue: validateQueueName(given('queue') ?? defaults.queue),
    handler: spec.handler,
    method: spec.method,
    params: toJsonParams(spec.params, 'params', maxParamsBytes),
    priority: checkInteger(priority, 'priority', limits.minPriority, limits.maxPriority),
    maxAttempts: checkInteger(retries, 'retries', 0, limits.maxRetries) + 1,
    timeoutMs: timeout === undefined ? null : timeoutToMs(timeout),
    uniqueKey: key,
    tags: tags === undefined ? NO_TAGS : checkTags(tags),
    backoff: backoff === undefined ? defaults.backoff : validateRetryPolicy(backoff, 'backoff'),
    runAt: checkRunAt(given('delay'), given('runAt')),
    concurrencyKey: concurrencyKey === undefined ? null : validateConcurrencyKey(concurrencyKey),
  };
  if (uniqueRule !== undefined) job.uniqueRule = uniqueRule;
  return job;
}

/**
 * Shared values of a job that gives no options, no tags or no delay: a bulk enqueue of
 * thousands of plain jobs made one of each per job. Frozen, as every job's are read-only.
 */
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({});
const NO_TAGS: readonly string[] = Object.freeze([]);
const NO_DELAY: NewJob['runAt'] = Object.freeze({ delayMs: 0 });

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function timeoutToMs(value: unknown): number {
  const seconds = checkNumber(value, 'timeout', {
    min: 0,
    max: ENQUEUE_LIMITS.maxTimeoutSeconds,
    exclusiveMin: true,
  });
  return Math.max(1, Math.round(seconds * 1000));
}

function checkTags(value: unknown): string[] {
  if (!Array.isArray(value)) throw new ValidationError('tags', 'must be an array of strings');
  const { maxTags, maxTagLength } = ENQUEUE_LIMITS;
  if (value.length > maxTags) throw new ValidationError('tags', `must hold at most ${maxTags}`);
  return value.map((tag: unknown, index) =>
    checkString(tag, `tags.${index}`, { minLength: 1, maxLength: maxTagLength }),
  );
}

function checkRunAt(delay: unknown, runAt: unknown): NewJob['runAt'] {
  if (delay !== undefined && runAt !== undefined) {
    throw new ValidationError('runAt', 'cannot be given together with delay');
  }
  if (runAt !== undefined) {
    if (!(runAt instanceof Date) || Number.isNaN(runAt.getTime())) {
      throw new ValidationError('runAt', 'must be a valid Date');
    }
    return { at: new Date(runAt.getTime()) };
  }
  if (delay === undefined) return NO_DELAY;
  const seconds = checkNumber(delay, 'delay', { min: 0, max: ENQUEUE_LIMITS.maxDelaySeconds });
  return { delayMs: Math.round(seconds * 1000) };
}
