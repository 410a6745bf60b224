import { ValidationError } from './errors.js';
import { isStorableText, UNSTORABLE } from './text.js';
import { checkInteger, checkString, isPlainObject } from './validate.js';

/**
 * Terminology
 * - queue limit: a bound that holds across every worker, stored in the queue's settings row and
 *   enforced inside the claim (never by one worker's count).
 * - concurrency: most jobs of the queue running at once.
 * - concurrency key: a job's label (a customer id, say); at most `keyConcurrency` running jobs
 *   of the queue share one key. Jobs of a busy key wait without blocking other keys.
 * - rate limit: most job starts (claims) of the queue in any window of `periodMs`.
 * - slot: room under a limit; a job frees its slot when it stops running (completion, failure,
 *   cancel, release, or rescue after its lease expired).
 */

/** Most job starts per period, across every worker. */
export interface RateLimit {
  /** Most starts in any window of `periodMs` (1..1,000,000). */
  readonly limit: number;
  /** The window, in milliseconds (1 ms .. 1 day). */
  readonly periodMs: number;
}

/** A queue's limits; null means no limit of that kind. */
export interface QueueLimits {
  /** Most jobs of the queue running at once, across every worker. */
  readonly concurrency: number | null;
  /** Most running jobs sharing one concurrency key (null: the default, `DEFAULT_KEY_CONCURRENCY`). */
  readonly keyConcurrency: number | null;
  /** Most job starts per period, across every worker. */
  readonly rateLimit: RateLimit | null;
}

/** A change of limits: a key left out keeps its value, null removes the limit. */
export type QueueLimitsPatch = { readonly [K in keyof QueueLimits]?: QueueLimits[K] };

/** Running jobs that may share one concurrency key when the queue sets no `keyConcurrency`. */
export const DEFAULT_KEY_CONCURRENCY = 1;

/** Bounds of the limit settings. */
export const QUEUE_LIMIT_BOUNDS = Object.freeze({
  maxConcurrency: 100_000,
  maxRate: 1_000_000,
  maxPeriodMs: 24 * 60 * 60 * 1000,
  maxConcurrencyKeyLength: 255,
});

/** The limits of a queue nobody limited. */
export const NO_QUEUE_LIMITS: QueueLimits = Object.freeze({
  concurrency: null,
  keyConcurrency: null,
  rateLimit: null,
});

const PATCH_KEYS: ReadonlySet<string> = new Set(['concurrency', 'keyConcurrency', 'rateLimit']);

/** True when the queue has a limit that the claim must check. */
export function isLimited(limits: QueueLimits): boolean {
  return limits.concurrency !== null || limits.rateLimit !== null;
}

/**
 * Checks a change of limits as it arrives untyped (API body, config, CLI flags); every error is
 * a ValidationError naming the field under `prefix` (`concurrency`, `queues.mail.rateLimit.limit`).
 */
export function validateQueueLimitsPatch(value: unknown, prefix = ''): QueueLimitsPatch {
  const at = (key: string) => `${prefix}${key}`;
  if (!isPlainObject(value))
    throw new ValidationError(prefix.replace(/\.$/, '') || 'body', 'must be an object');
  for (const key of Object.keys(value)) {
    if (!PATCH_KEYS.has(key)) {
      throw new ValidationError(
        at(key),
        'is not a queue limit (concurrency, keyConcurrency, rateLimit)',
      );
    }
  }
  const { maxConcurrency } = QUEUE_LIMIT_BOUNDS;
  const out: { -readonly [K in keyof QueueLimits]?: QueueLimits[K] } = {};
  if (value.concurrency !== undefined) {
    out.concurrency =
      value.concurrency === null
        ? null
        : checkInteger(value.concurrency, at('concurrency'), 1, maxConcurrency);
  }
  if (value.keyConcurrency !== undefined) {
    out.keyConcurrency =
      value.keyConcurrency === null
        ? null
        : checkInteger(value.keyConcurrency, at('keyConcurrency'), 1, maxConcurrency);
  }
  if (value.rateLimit !== undefined) {
    out.rateLimit =
      value.rateLimit === null ? null : validateRateLimit(value.rateLimit, at('rateLimit'));
  }
  return out;
}

/** Checks `{ limit, periodMs }`; errors name `field.limit` or `field.periodMs`. */
export function validateRateLimit(value: unknown, field = 'rateLimit'): RateLimit {
  if (!isPlainObject(value))
    throw new ValidationError(field, 'must be an object { limit, periodMs }');
  for (const key of Object.keys(value)) {
    if (key !== 'limit' && key !== 'periodMs') {
      throw new ValidationError(`${field}.${key}`, 'is not a rate limit field (limit, periodMs)');
    }
  }
  const { maxRate, maxPeriodMs } = QUEUE_LIMIT_BOUNDS;
  return {
    limit: checkInteger(value.limit, `${field}.limit`, 1, maxRate),
    periodMs: checkInteger(value.periodMs, `${field}.periodMs`, 1, maxPeriodMs),
  };
}

const RATE_PATTERN = /^(\d{1,7})\/(\d{0,8})(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Reads a rate written as `LIMIT/PERIOD` (`50/1s`, `10/500ms`, `100/m`, `5/2h`; a bare number
 * of the period is milliseconds); throws a ValidationError naming `field`.
 */
export function parseRateLimit(text: string, field = 'rate'): RateLimit {
  const match = RATE_PATTERN.exec(text.trim());
  if (match === null) {
    throw new ValidationError(field, 'must look like 50/1s (limit per period: ms, s, m or h)');
  }
  const [, limit = '', amount = '', unit] = match;
  const count = amount === '' ? 1 : Number(amount);
  const periodMs = count * (UNIT_MS[unit ?? 'ms'] ?? 1);
  return validateRateLimit({ limit: Number(limit), periodMs }, field);
}

/** Writes a rate as `parseRateLimit` reads it, in the largest whole unit (`50/1s`). */
export function formatRateLimit(rate: RateLimit): string {
  for (const unit of ['h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] ?? 1;
    if (rate.periodMs % size === 0) return `${rate.limit}/${rate.periodMs / size}${unit}`;
  }
  return `${rate.limit}/${rate.periodMs}ms`;
}

/** Checks a job's concurrency key: 1..255 storable characters. */
export function validateConcurrencyKey(value: unknown, field = 'concurrencyKey'): string {
  const key = checkString(value, field, {
    minLength: 1,
    maxLength: QUEUE_LIMIT_BOUNDS.maxConcurrencyKeyLength,
  });
  if (!isStorableText(key)) throw new ValidationError(field, UNSTORABLE);
  return key;
}
