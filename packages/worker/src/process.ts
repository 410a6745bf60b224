import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { HandlerRegistry } from '@jobs/core';
import { createPgStore, migrate } from '@jobs/storage';
import { WorkerOptionsError } from './errors.js';
import { createJsonLogger, type LogLevel } from './logger.js';
import { instrumentWorker } from './metrics.js';
import { type MetricsServer, serveMetricsOnLoopback } from './metrics-server.js';
import { createMetricsRegistry } from './process-metrics.js';
import { installSignalHandlers } from './signals.js';
import { keepRunningOnUnhandledRejections } from './stray-errors.js';
import type { Worker } from './types.js';
import { createWorker } from './worker.js';

/** Settings of a worker process, from its command line and environment. */
export interface WorkerProcessOptions {
  readonly databaseUrl: string;
  readonly schema?: string;
  /** Module whose `handlers` export (or default export) is the registry. */
  readonly handlersModule: string;
  readonly concurrency?: number;
  readonly prefetch?: number;
  readonly queues: readonly string[] | null;
  readonly graceMs?: number;
  readonly pollIntervalMs?: number;
  readonly leaseMs?: number;
  readonly rescueIntervalMs?: number;
  readonly pruneIntervalMs?: number;
  readonly workerId?: string;
  /** Migrate the schema before starting. */
  readonly migrate: boolean;
  /** Announce every job change for dashboards (default); `false` sends only worker signals. */
  readonly changeEvents: boolean;
  readonly logLevel: LogLevel;
  /** Serve Prometheus metrics on 127.0.0.1 at this port (0: a free one); undefined: none. */
  readonly metricsPort?: number;
}

const USAGE = `usage: jobs-worker --handlers <module> [--database-url <url>] [--schema <name>]
  [--concurrency <n>] [--prefetch <n>] [--queues a,b] [--grace-ms <ms>] [--poll-interval-ms <ms>]
  [--lease-ms <ms>] [--rescue-interval-ms <ms>] [--prune-interval-ms <ms>] [--worker-id <id>] [--migrate]
  [--change-events on|off] [--metrics-port <n>]
env: DATABASE_URL, JOBS_SCHEMA, JOBS_HANDLERS, JOBS_CONCURRENCY, JOBS_PREFETCH, JOBS_QUEUES, JOBS_GRACE_MS,
  JOBS_POLL_INTERVAL_MS, JOBS_LEASE_MS, JOBS_RESCUE_INTERVAL_MS, JOBS_PRUNE_INTERVAL_MS, JOBS_WORKER_ID, JOBS_MIGRATE=1,
  JOBS_CHANGE_EVENTS=on|off, JOBS_METRICS_PORT,
  JOBS_LOG_LEVEL, BACKGROUND_JOB_LOG_DIRECTORY, BACKGROUND_JOB_ERROR_LOG_DIRECTORY`;

/** Reads the process settings; flags win over environment variables. Throws WorkerOptionsError. */
export function parseWorkerArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): WorkerProcessOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      handlers: { type: 'string' },
      'database-url': { type: 'string' },
      schema: { type: 'string' },
      concurrency: { type: 'string' },
      prefetch: { type: 'string' },
      queues: { type: 'string' },
      'grace-ms': { type: 'string' },
      'poll-interval-ms': { type: 'string' },
      'lease-ms': { type: 'string' },
      'rescue-interval-ms': { type: 'string' },
      'prune-interval-ms': { type: 'string' },
      'worker-id': { type: 'string' },
      migrate: { type: 'boolean' },
      'change-events': { type: 'string' },
      'metrics-port': { type: 'string' },
    },
    strict: true,
  });
  const pick = (flag: string | undefined, name: string) => {
    const value = flag ?? env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const databaseUrl = pick(values['database-url'], 'DATABASE_URL');
  if (databaseUrl === undefined)
    throw new WorkerOptionsError('DATABASE_URL', `is required\n${USAGE}`);
  const handlersModule = pick(values.handlers, 'JOBS_HANDLERS');
  if (handlersModule === undefined)
    throw new WorkerOptionsError('handlers', `is required\n${USAGE}`);
  const queues = pick(values.queues, 'JOBS_QUEUES');
  const changeEvents = pick(values['change-events'], 'JOBS_CHANGE_EVENTS') ?? 'on';
  if (changeEvents !== 'on' && changeEvents !== 'off') {
    throw new WorkerOptionsError('change-events', 'must be on or off');
  }
  const logLevel = pick(undefined, 'JOBS_LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new WorkerOptionsError('JOBS_LOG_LEVEL', 'must be debug, info, warn or error');
  }
  return {
    databaseUrl,
    handlersModule,
    queues:
      queues === undefined
        ? null
        : queues
            .split(',')
            .map((q) => q.trim())
            .filter(Boolean),
    migrate: values.migrate === true || env.JOBS_MIGRATE === '1',
    changeEvents: changeEvents === 'on',
    logLevel: logLevel as LogLevel,
    ...optional('schema', pick(values.schema, 'JOBS_SCHEMA')),
    ...optional('workerId', pick(values['worker-id'], 'JOBS_WORKER_ID')),
    ...optionalInt('concurrency', pick(values.concurrency, 'JOBS_CONCURRENCY')),
    ...optionalInt('prefetch', pick(values.prefetch, 'JOBS_PREFETCH')),
    ...optionalInt('metricsPort', pick(values['metrics-port'], 'JOBS_METRICS_PORT')),
    ...optionalInt('graceMs', pick(values['grace-ms'], 'JOBS_GRACE_MS')),
    ...optionalInt('pollIntervalMs', pick(values['poll-interval-ms'], 'JOBS_POLL_INTERVAL_MS')),
    ...optionalInt('leaseMs', pick(values['lease-ms'], 'JOBS_LEASE_MS')),
    ...optionalInt(
      'rescueIntervalMs',
      pick(values['rescue-interval-ms'], 'JOBS_RESCUE_INTERVAL_MS'),
    ),
    ...optionalInt('pruneIntervalMs', pick(values['prune-interval-ms'], 'JOBS_PRUNE_INTERVAL_MS')),
  };
}

/** Loads the handler registry from a module path (relative to `cwd`) or package name. */
export async function loadHandlers(
  specifier: string,
  cwd: string,
): Promise<HandlerRegistry<unknown>> {
  const url =
    specifier.startsWith('.') || specifier.startsWith('/')
      ? pathToFileURL(resolve(cwd, specifier)).href
      : specifier;
  const loaded = (await import(url)) as { handlers?: unknown; default?: unknown };
  const registry = loaded.handlers ?? loaded.default;
  if (!isRegistry(registry)) {
    throw new WorkerOptionsError(
      'handlers',
      `module "${specifier}" must export a registry from defineHandlers() as "handlers" or default`,
    );
  }
  return registry;
}

/**
 * Runs a worker as the main program: opens the store, starts the worker with signal handlers
 * (first SIGTERM/SIGINT stops gracefully and exits 0, a second exits at once), and prints one
 * JSON line `{"type":"ready",...}` on stdout once it is under way.
 */
export async function runWorkerProcess(options: WorkerProcessOptions): Promise<Worker> {
  const logger = createJsonLogger({ level: options.logLevel });
  if (options.migrate) await migrate({ url: options.databaseUrl, ...schemaOf(options) });
  const handlers = await loadHandlers(options.handlersModule, process.cwd());
  const store = createPgStore({
    url: options.databaseUrl,
    applicationName: 'jobs-worker',
    changeEvents: options.changeEvents,
    ...schemaOf(options),
  });
  const worker = createWorker({
    store,
    handlers,
    queues: options.queues,
    logger,
    ...pickDefined(options, [
      'concurrency',
      'prefetch',
      'graceMs',
      'pollIntervalMs',
      'leaseMs',
      'rescueIntervalMs',
      'pruneIntervalMs',
      'workerId',
    ]),
  });
  let metrics: MetricsServer | undefined;
  if (options.metricsPort !== undefined) {
    const registry = createMetricsRegistry();
    instrumentWorker(worker, { registry });
    metrics = await serveMetricsOnLoopback(registry, options.metricsPort);
  }
  installSignalHandlers(worker, {
    logger,
    beforeExit: async () => {
      await metrics?.close();
      await store.close();
    },
  });
  keepRunningOnUnhandledRejections(logger);
  await worker.start();
  process.stdout.write(
    `${JSON.stringify({
      type: 'ready',
      workerId: worker.id,
      pid: process.pid,
      schema: options.schema ?? 'jobs',
      queues: options.queues,
      concurrency: options.concurrency ?? 10,
      ...(metrics === undefined ? {} : { metrics: `${metrics.url}/metrics` }),
    })}\n`,
  );
  return worker;
}

function schemaOf(options: WorkerProcessOptions): { schema?: string } {
  return options.schema === undefined ? {} : { schema: options.schema };
}

function isRegistry(value: unknown): value is HandlerRegistry<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { resolve?: unknown }).resolve === 'function' &&
    typeof (value as { list?: unknown }).list === 'function'
  );
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}

function optionalInt<K extends string>(key: K, value: string | undefined): { [P in K]?: number } {
  if (value === undefined) return {};
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new WorkerOptionsError(key, `must be a whole number, not "${value}"`);
  }
  return { [key]: number } as { [P in K]?: number };
}

function pickDefined<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
