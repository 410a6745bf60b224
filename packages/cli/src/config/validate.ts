import { DEPENDENCY_POLICIES, parseRetentionConfig, ValidationError } from '@jobs/core';
import { checkQueueSettings } from './queue-settings.js';
import { isPlainObject } from './util.js';

/** A problem with the shape of a config: the dotted key at fault, what is wrong and the fix. */
export interface ConfigProblem {
  readonly key: string;
  readonly problem: string;
  readonly fix: string;
}

const TOP_KEYS = [
  'handlers',
  'database',
  'queues',
  'retries',
  'logs',
  'api',
  'worker',
  'schedules',
  'retention',
  'metrics',
  'tracing',
  'flows',
] as const;

const SECTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  database: ['url', 'schema', 'dir', 'migrate'],
  retries: ['max', 'backoff'],
  logs: ['jobs', 'errors'],
  api: ['port', 'host', 'token', 'url', 'allowedHosts', 'allowedOrigins'],
  worker: ['queues', 'concurrency', 'queueConcurrency', 'graceMs', 'pollIntervalMs'],
  metrics: ['port', 'host'],
  tracing: ['otlp'],
  flows: ['onDependencyFailure'],
};

/** Checks what a config file exported; returns the first problem, or null when it is usable. */
export function checkConfigShape(value: unknown): ConfigProblem | null {
  if (!isPlainObject(value)) {
    return {
      key: 'default',
      problem: 'the default export is not a config object',
      fix: "end the file with `export default defineConfig({ handlers })` (import defineConfig from '@jobs/cli')",
    };
  }
  for (const key of Object.keys(value)) {
    if (!(TOP_KEYS as readonly string[]).includes(key)) {
      return {
        key,
        problem: `"${key}" is not a config key`,
        fix: `use only ${TOP_KEYS.join(', ')}`,
      };
    }
  }
  if (!isRegistry(value.handlers)) {
    return {
      key: 'handlers',
      problem:
        value.handlers === undefined
          ? 'the config has no handlers'
          : 'handlers is not a registry from defineHandlers()',
      fix: "set `handlers: defineHandlers({ 'App\\\\Services\\\\SomeClass': new SomeClass() })` (defineHandlers from '@jobs/core')",
    };
  }
  const queues = checkQueueSettings(value.queues);
  if (queues !== null) return queues;
  for (const [section, keys] of Object.entries(SECTION_KEYS)) {
    const problem = checkSection(value, section, keys);
    if (problem !== null) return problem;
  }
  return checkValues(value) ?? checkRetention(value.retention);
}

function checkSection(
  config: Record<string, unknown>,
  section: string,
  keys: readonly string[],
): ConfigProblem | null {
  const given = config[section];
  if (given === undefined) return null;
  if (section === 'retries' && typeof given === 'number') return null;
  if (!isPlainObject(given)) {
    return {
      key: section,
      problem: `${section} must be an object`,
      fix: `write ${section}: { ${keys.join(', ')} } with the keys you need`,
    };
  }
  for (const key of Object.keys(given)) {
    if (!keys.includes(key)) {
      return {
        key: `${section}.${key}`,
        problem: `"${key}" is not a key of ${section}`,
        fix: `use only ${keys.join(', ')}`,
      };
    }
  }
  return null;
}

type Check = readonly [key: string, ok: (v: unknown) => boolean, expected: string];

const isString = (v: unknown) => typeof v === 'string' && v !== '';
const isWhole =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const CHECKS: readonly Check[] = [
  ['database.url', isString, 'a postgres:// URL'],
  [
    'database.schema',
    (v) => typeof v === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(v),
    'a lower-case identifier such as "jobs"',
  ],
  ['database.dir', isString, 'a folder path'],
  ['database.migrate', (v) => typeof v === 'boolean', 'true or false'],
  [
    'worker.queues',
    (v) => Array.isArray(v) && v.length > 0 && v.every(isString),
    'a non-empty array of queue names',
  ],
  ['worker.concurrency', isWhole(1, 10_000), 'a whole number from 1 to 10000'],
  [
    'worker.queueConcurrency',
    (v) => isPlainObject(v) && Object.values(v).every(isWhole(1, 10_000)),
    'an object of queue name to a whole number, e.g. { reports: 1 }',
  ],
  ['retries', (v) => typeof v !== 'number' || isWhole(0, 1000)(v), 'a whole number from 0 to 1000'],
  ['retries.max', isWhole(0, 1000), 'a whole number from 0 to 1000'],
  [
    'retries.backoff',
    isPlainObject,
    "{ kind: 'exponential', baseMs, maxMs } or { kind: 'fixed', delayMs }",
  ],
  ['logs.jobs', isString, 'a file or folder path'],
  ['logs.errors', isString, 'a file or folder path'],
  ['api.port', isWhole(0, 65_535), 'a port number from 0 to 65535'],
  ['api.host', isString, 'an address such as "127.0.0.1"'],
  ['api.token', isString, 'a non-empty string'],
  [
    'api.allowedHosts',
    (v) => Array.isArray(v) && v.every(isString),
    'an array of host names, e.g. ["jobs.example.com"] (or ["*"] for any)',
  ],
  [
    'api.allowedOrigins',
    (v) => Array.isArray(v) && v.every(isString),
    'an array of origins, e.g. ["https://admin.example.com"]',
  ],
  ['api.url', (v) => typeof v === 'string' && /^https?:\/\//.test(v), 'an http:// or https:// URL'],
  ['worker.graceMs', isWhole(0), 'milliseconds, a whole number'],
  ['worker.pollIntervalMs', isWhole(1), 'milliseconds, a whole number of at least 1'],
  ['metrics.port', isWhole(0, 65_535), 'a port number from 0 to 65535'],
  ['metrics.host', isString, 'an address such as "127.0.0.1"'],
  ['tracing.otlp', (v) => typeof v === 'boolean', 'true or false'],
  [
    'flows.onDependencyFailure',
    (v) => typeof v === 'string' && (DEPENDENCY_POLICIES as readonly string[]).includes(v),
    `one of ${DEPENDENCY_POLICIES.map((p) => `"${p}"`).join(', ')}`,
  ],
];

function checkValues(config: Record<string, unknown>): ConfigProblem | null {
  for (const [key, ok, expected] of CHECKS) {
    const value = lookup(config, key);
    if (value === undefined || ok(value)) continue;
    return {
      key,
      problem: `${key} is ${JSON.stringify(value) ?? String(value)}`,
      fix: `set ${key} to ${expected}`,
    };
  }
  return null;
}

function lookup(config: Record<string, unknown>, key: string): unknown {
  let value: unknown = config;
  for (const part of key.split('.')) {
    if (!isPlainObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

/** True for what `defineHandlers` returns. */
export function isRegistry(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { resolve?: unknown }).resolve === 'function' &&
    typeof (value as { list?: unknown }).list === 'function'
  );
}

/** The `retention` section, read by core's rules; the problem names the field at fault. */
function checkRetention(value: unknown): ConfigProblem | null {
  if (value === undefined) return null;
  try {
    parseRetentionConfig(value);
    return null;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return {
      key: error.field,
      problem: error.message,
      fix: "write durations such as '1h', '1d', '7d' or milliseconds; 0 deletes at once, null keeps forever (e.g. retention: { completed: '1d', queues: { audit: { completed: null } } })",
    };
  }
}
