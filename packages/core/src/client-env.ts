import { ValidationError } from './errors.js';
import type { ClientDefaults } from './options.js';
import { ENQUEUE_LIMITS } from './options.js';

/** Environment variables as a process holds them (`process.env`), passed in by the caller. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/**
 * The client defaults an application takes from its environment, for `createClient`'s
 * `defaults`: `MAX_RETRIES` (a whole number from 0 to 1000) sets the retries of jobs enqueued
 * without `retries`, as it does for the CLI and the API. Unset or blank leaves the default (3).
 * Core reads no environment itself: the application passes `process.env` (or any object).
 *
 * @example createClient(store, handlers, { defaults: clientDefaultsFromEnv(process.env) })
 */
export function clientDefaultsFromEnv(env: EnvVars): Partial<ClientDefaults> {
  const retries = wholeNumber(env, 'MAX_RETRIES', 0, ENQUEUE_LIMITS.maxRetries);
  return retries === undefined ? {} : { retries };
}

function wholeNumber(env: EnvVars, name: string, min: number, max: number): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ValidationError(name, `must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}
