import { ValidationError } from './errors.js';
import type { RetryPolicy } from './job.js';
import { checkInteger, checkNumber, isPlainObject } from './validate.js';

/** How many times a failed job is tried again unless told otherwise (the seed's `MAX_RETRIES`). */
export const MAX_RETRIES_DEFAULT = 3;

/** The longest wait any retry policy may ask for: 365 days, in milliseconds. */
export const MAX_RETRY_DELAY_MS = 365 * 24 * 60 * 60 * 1000;

/** The largest growth factor an exponential policy may use. */
export const MAX_RETRY_FACTOR = 100;

/** The backoff used unless told otherwise: 1 s, 2 s, 4 s, ... up to one hour, up to 20% less. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  kind: 'exponential',
  baseMs: 1000,
  factor: 2,
  maxMs: 60 * 60 * 1000,
  jitter: 0.2,
});

/**
 * Milliseconds to wait after attempt `attempt` (1-based) failed. `random` in [0, 1) takes off up to
 * `jitter` of the delay. Always an integer in [0, cap], where cap is `maxMs` or `delayMs`.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: number): number {
  const cap = retryCapMs(policy);
  const full = policy.kind === 'fixed' ? cap : exponentialDelayMs(attempt, policy, cap);
  const share = clampUnit(policy.jitter ?? 0) * clampUnit(random);
  return Math.min(cap, Math.max(0, Math.floor(full - full * share)));
}

/** When a job whose attempt `attempt` failed at `now` may run again. */
export function nextRetryAt(now: Date, attempt: number, policy: RetryPolicy, random: number): Date {
  return new Date(now.getTime() + retryDelayMs(attempt, policy, random));
}

/** The longest a policy ever waits: `delayMs` (fixed) or `maxMs` (exponential), within bounds. */
export function retryCapMs(policy: RetryPolicy): number {
  const cap = policy.kind === 'fixed' ? policy.delayMs : policy.maxMs;
  return cap > 0 ? Math.floor(Math.min(cap, MAX_RETRY_DELAY_MS)) : 0;
}

function exponentialDelayMs(
  attempt: number,
  policy: Extract<RetryPolicy, { kind: 'exponential' }>,
  cap: number,
): number {
  const base = policy.baseMs;
  if (!(base > 0)) return 0;
  const factor = policy.factor ?? 2;
  const steps = attempt > 1 ? Math.floor(attempt) - 1 : 0;
  if (!(factor > 1) || steps === 0) return Math.min(cap, base);
  const grown = base * factor ** steps;
  return Number.isFinite(grown) ? Math.min(cap, grown) : cap;
}

function clampUnit(value: number): number {
  return value > 0 ? Math.min(1, value) : 0;
}

/**
 * Checks an untrusted retry policy and returns a clean copy; errors name the field at fault
 * (`backoff.maxMs`). Delays are whole milliseconds up to `MAX_RETRY_DELAY_MS`.
 */
export function validateRetryPolicy(value: unknown, field = 'backoff'): RetryPolicy {
  if (!isPlainObject(value)) throw new ValidationError(field, 'must be an object');
  const kind = value.kind;
  if (kind !== 'fixed' && kind !== 'exponential') {
    throw new ValidationError(`${field}.kind`, 'must be "fixed" or "exponential"');
  }
  const allowed = kind === 'fixed' ? FIXED_KEYS : EXPONENTIAL_KEYS;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ValidationError(`${field}.${key}`, 'is not allowed');
  }
  const jitter =
    value.jitter === undefined
      ? {}
      : { jitter: checkNumber(value.jitter, `${field}.jitter`, { min: 0, max: 1 }) };
  if (kind === 'fixed') {
    const delayMs = checkInteger(value.delayMs, `${field}.delayMs`, 0, MAX_RETRY_DELAY_MS);
    return { kind, delayMs, ...jitter };
  }
  const baseMs = checkInteger(value.baseMs, `${field}.baseMs`, 0, MAX_RETRY_DELAY_MS);
  const maxMs = checkInteger(value.maxMs, `${field}.maxMs`, 0, MAX_RETRY_DELAY_MS);
  if (maxMs < baseMs) throw new ValidationError(`${field}.maxMs`, 'must be at least baseMs');
  const factor =
    value.factor === undefined
      ? {}
      : { factor: checkNumber(value.factor, `${field}.factor`, { min: 1, max: MAX_RETRY_FACTOR }) };
  return { kind, baseMs, maxMs, ...factor, ...jitter };
}

const FIXED_KEYS: readonly string[] = ['kind', 'delayMs', 'jitter'];
const EXPONENTIAL_KEYS: readonly string[] = ['kind', 'baseMs', 'factor', 'maxMs', 'jitter'];
