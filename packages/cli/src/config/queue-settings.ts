import { type QueueLimitsPatch, ValidationError, validateQueueLimitsPatch } from '@jobs/core';
import { isPlainObject } from './util.js';
import type { ConfigProblem } from './validate.js';

/**
 * The keys `queues` had before it held per-queue settings, and where each went: the worker's
 * own settings moved under `worker`.
 */
const MOVED: Readonly<Record<string, string>> = {
  names: 'worker.queues',
  concurrency: 'worker.concurrency',
  limits: 'worker.queueConcurrency',
};

/** What a queue's settings may hold. */
const LIMIT_KEYS = ['concurrency', 'keyConcurrency', 'rateLimit'];

const QUEUE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Checks `queues: { mail: { concurrency, keyConcurrency, rateLimit } }`; null when usable. */
export function checkQueueSettings(value: unknown): ConfigProblem | null {
  if (value === undefined) return null;
  if (!isPlainObject(value)) {
    return {
      key: 'queues',
      problem: 'queues must be an object of queue name to its limits',
      fix: 'write queues: { mail: { concurrency: 3, rateLimit: { limit: 50, periodMs: 1000 } } }',
    };
  }
  for (const [name, settings] of Object.entries(value)) {
    const moved = MOVED[name];
    if (moved !== undefined && !looksLikeQueueSettings(settings)) {
      return {
        key: `queues.${name}`,
        problem: `queues.${name} moved to ${moved} (queues now holds each queue's limits across every worker)`,
        fix: `write ${moved}: ${JSON.stringify(settings) ?? String(settings)} instead`,
      };
    }
    if (!QUEUE_NAME.test(name)) {
      return {
        key: `queues.${name}`,
        problem: `"${name}" is not a queue name`,
        fix: 'use letters, digits, _ . : - (up to 64)',
      };
    }
    try {
      validateQueueLimitsPatch(settings, `queues.${name}.`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return {
        key: error.field,
        problem: error.message,
        fix: `give queues.${name} only ${LIMIT_KEYS.join(', ')}, e.g. { concurrency: 3, keyConcurrency: 1, rateLimit: { limit: 50, periodMs: 1000 } }`,
      };
    }
  }
  return null;
}

/** True when `value` could be one queue's settings (an object of limit keys only). */
function looksLikeQueueSettings(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).every((key) => LIMIT_KEYS.includes(key));
}

/**
 * The limits a checked config sets, per queue. Every limit of a listed queue is set: a key
 * left out is removed (null), so the file says all of a queue's limits.
 */
export function queueLimitsFromConfig(value: unknown): Readonly<Record<string, QueueLimitsPatch>> {
  if (!isPlainObject(value)) return {};
  const out: Record<string, QueueLimitsPatch> = {};
  for (const [name, settings] of Object.entries(value)) {
    const given = validateQueueLimitsPatch(settings, `queues.${name}.`);
    out[name] = {
      concurrency: given.concurrency ?? null,
      keyConcurrency: given.keyConcurrency ?? null,
      rateLimit: given.rateLimit ?? null,
    };
  }
  return out;
}
