import { hostRuleProblem, MAKE_TOKEN_HINT, originRuleProblem, tokenProblem } from '@jobs/api';
import {
  formatRetention,
  type HandlerRegistry,
  RETENTION_STATES,
  type RetentionSettings,
  type ScheduleSpec,
} from '@jobs/core';
import { createPgStore, type PgJobStore } from '@jobs/storage';
import {
  createJsonLogger,
  createMetricsRegistry,
  createScheduler,
  createWorker,
  instrumentWorker,
  keepRunningOnUnhandledRejections,
  type Logger,
  type Scheduler,
  type Worker,
} from '@jobs/worker';
import type { CommandContext } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { bold, cyan, dim } from '../cli/output.js';
import { findConfigFile, loadConfig, typeScriptImportArgs } from '../config/load.js';
import { resolveSettings, type Settings } from '../config/settings.js';
import { findDashboardDir } from './dashboard.js';
import { type Database, openDatabase } from './database.js';
import { type ApiJobLog, openApiJobLog } from './job-log.js';
import { type Listening, listen } from './listen.js';
import { startTracing } from './otel.js';
import { createRootApp } from './root-app.js';
import { humanLogger, printJobEvents } from './worker-output.js';

/** What a daemon runs: the API (and dashboard), a worker, or both. */
export interface DaemonParts {
  readonly api: boolean;
  readonly worker: boolean;
}

/** Flags a daemon command took, laid over the settings. */
export interface DaemonFlags {
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  readonly queues?: readonly string[] | undefined;
  readonly concurrency?: number | undefined;
  /** Serve /metrics on this port (a daemon without the API). */
  readonly metricsPort?: number | undefined;
  readonly metricsHost?: string | undefined;
  /** Export traces with OTLP (`--otel`). */
  readonly otel?: boolean | undefined;
}

/** The config file and its settings, for a daemon (a config is required). */
export async function loadDaemonSettings(
  context: CommandContext,
  command: string,
): Promise<{
  file: string;
  settings: Settings;
  handlers: HandlerRegistry<unknown>;
  schedules: readonly ScheduleSpec[];
}> {
  const given = typeof context.values.config === 'string' ? context.values.config : undefined;
  const file = findConfigFile(given, context.cwd);
  if (file === undefined) {
    throw new UsageError(`no jobs.config.ts in ${context.cwd}`, {
      hint: `create one that ends with \`export default defineConfig({ handlers })\` (see examples/jobs.config.ts), or run \`jobs ${command} --config <file>\``,
    });
  }
  const { config, schedules } = await loadConfig(file, context.cwd);
  const settings = resolveSettings(config, context.env);
  return { file, settings, handlers: config.handlers, schedules };
}

/**
 * Runs a daemon until SIGINT/SIGTERM: the database (embedded unless a URL is set, migrated),
 * then the API with the dashboard and/or a worker. The first signal stops gracefully (the HTTP
 * server, then the worker, which finishes or releases its jobs, then the database); a second
 * exits at once. Resolves with the exit code.
 */
export async function runDaemon(
  context: CommandContext,
  parts: DaemonParts,
  flags: DaemonFlags,
  command: string,
): Promise<number> {
  const { file, settings, handlers, schedules } = await loadDaemonSettings(context, command);
  if (parts.api) checkServerSettings(settings);
  const human = context.stdout.isTTY === true;
  const write = (text: string) => context.stdout.write(text);
  // Before anything makes a span: the SDK must be registered first.
  const tracing =
    flags.otel === true || settings.tracing.otlp ? await startTracing(context.env, command) : null;
  // One registry per process: Node's own metrics, the API's and the worker's.
  const registry = createMetricsRegistry();
  const database = await openDatabase(settings, context.cwd);
  let store: PgJobStore | undefined;
  let metricsServer: Listening | undefined;
  let worker: Worker | undefined;
  let scheduler: Scheduler | undefined;
  let server: Listening | undefined;
  let jobLog: ApiJobLog | undefined;
  let workerStarted = false;
  /** Stops what runs, in order; a step that fails does not keep the next from running. */
  const stopAll = async () => {
    const failures: unknown[] = [];
    const step = async (fn: () => Promise<void> | undefined) => {
      try {
        await fn();
      } catch (error) {
        failures.push(error);
      }
    };
    await step(() => server?.close());
    await step(() => jobLog?.close());
    await step(() => scheduler?.stop());
    await step(() =>
      workerStarted ? worker?.stop({ graceMs: settings.worker.graceMs }) : undefined,
    );
    await step(() => metricsServer?.close());
    await step(() => store?.close());
    await step(() => database.stop());
    await step(() => tracing?.shutdown());
    if (failures.length > 0) throw failures[0];
  };
  // A daemon: a stray rejection (a cut database connection) is logged, never fatal.
  keepRunningOnUnhandledRejections(human ? humanLogger(context.stderr) : createJsonLogger());
  try {
    store = createPgStore({
      url: database.url,
      schema: database.schema,
      applicationName: `jobs ${command}`,
      max: parts.api && parts.worker ? 16 : 10,
    });
    // The config's retention becomes the one every daemon's pruner reads (the database's).
    if (settings.retention !== undefined) {
      await store.retentionSet({ settings: settings.retention });
    }
    // The config's queue limits go into the queue-settings rows, where every worker reads them.
    for (const [name, limits] of Object.entries(settings.queueLimits)) {
      await store.queueLimitsSet({ name, limits });
    }
    if (parts.worker) {
      const logger: Logger = human ? humanLogger(context.stderr) : createJsonLogger();
      worker = createWorker({
        store,
        handlers,
        queues: flags.queues ?? settings.worker.queues,
        concurrency: flags.concurrency ?? settings.worker.concurrency,
        queueConcurrency: settings.worker.queueConcurrency,
        graceMs: settings.worker.graceMs,
        ...(settings.worker.pollIntervalMs === undefined
          ? {}
          : { pollIntervalMs: settings.worker.pollIntervalMs }),
        ...(settings.logs.jobs === undefined ? {} : { jobLogPath: settings.logs.jobs }),
        ...(settings.logs.errors === undefined ? {} : { errorLogPath: settings.logs.errors }),
        isolateExecArgv: needsTypeScript(handlers) ? typeScriptImportArgs() : [],
        logger,
      });
      if (human) printJobEvents(worker, write);
      instrumentWorker(worker, { registry });
    }
    if (parts.api) {
      const { createApp } = await import('@jobs/api');
      jobLog = openApiJobLog(settings.logs.jobs, context.env, (error) =>
        context.stderr.write(`[jobs api] job log: ${String(error)}\n`),
      );
      const api = createApp({
        store,
        handlers,
        token: settings.api.token ?? null,
        allowedHosts: settings.api.allowedHosts,
        allowedOrigins: settings.api.allowedOrigins,
        logFiles: {
          ...(settings.logs.jobs === undefined ? {} : { jobs: settings.logs.jobs }),
          ...(settings.logs.errors === undefined ? {} : { errors: settings.logs.errors }),
        },
        env: context.env,
        jobLog: jobLog.sink,
        defaults: {
          ...(settings.retries.max === undefined ? {} : { retries: settings.retries.max }),
          ...(settings.retries.backoff === undefined ? {} : { backoff: settings.retries.backoff }),
        },
        dependencyPolicy: settings.flows.onDependencyFailure,
        onError: (error) => context.stderr.write(`[jobs api] ${String(error)}\n`),
        metrics: { registry },
      });
      const dashboardDir = await findDashboardDir({
        env: context.env,
        cwd: context.cwd,
        configFile: file,
      });
      const root = createRootApp({ api, dashboardDir, allowedHosts: settings.api.allowedHosts });
      server = await listen(root, {
        api,
        port: flags.port ?? settings.api.port,
        host: flags.host ?? settings.api.host,
      });
      write(banner(server, dashboardDir, database, worker, handlers, command, settings.retention));
    } else {
      const port = flags.metricsPort ?? settings.metrics.port;
      if (port !== undefined) {
        const { createMetricsApp } = await import('@jobs/api');
        const app = createMetricsApp({
          registry,
          token: settings.api.token ?? null,
          allowedHosts: settings.api.allowedHosts,
          env: context.env,
        });
        metricsServer = await listen(app, {
          api: app,
          port,
          host: flags.metricsHost ?? settings.metrics.host,
        });
      }
      write(
        banner(
          undefined,
          null,
          database,
          worker,
          handlers,
          command,
          settings.retention,
          metricsServer,
        ),
      );
    }
    if (worker !== undefined) {
      // Every daemon that runs a worker runs a scheduler too (`jobs serve` does not).
      scheduler = await startSchedules(
        store,
        handlers,
        schedules,
        settings,
        write,
        human,
        human ? humanLogger(context.stderr) : createJsonLogger(),
        worker.id,
      );
      await worker.start();
      workerStarted = true;
    }
  } catch (error) {
    await stopAll().catch(() => {});
    throw error;
  }
  write(`${dim('Press Ctrl-C to stop.')}\n`);
  return waitForSignal(context, stopAll);
}

/**
 * Refuses, before anything starts, a token shorter than 32 characters and allowed hosts or
 * origins that are not hosts or origins, naming the setting and how to fix it.
 */
export function checkServerSettings(settings: Settings): void {
  const { token, tokenSource, allowedHosts, allowedOrigins } = settings.api;
  const weak = token === undefined ? null : tokenProblem(token);
  if (weak !== null) {
    throw new UsageError(`refusing to start: ${tokenSource}: ${weak}`, {
      hint: `${MAKE_TOKEN_HINT}, and set it as JOBS_API_TOKEN`,
    });
  }
  for (const [name, entries, problemOf] of [
    ['JOBS_ALLOWED_HOSTS / api.allowedHosts', allowedHosts, hostRuleProblem],
    ['JOBS_ALLOWED_ORIGINS / api.allowedOrigins', allowedOrigins, originRuleProblem],
  ] as const) {
    for (const entry of entries) {
      const problem = problemOf(entry);
      if (problem !== null) throw new UsageError(`${name}: ${problem}`);
    }
  }
}

/**
 * Upserts the config's schedules (reporting those no longer declared) and starts the
 * scheduler, which enqueues the due ticks of every active schedule.
 */
async function startSchedules(
  store: PgJobStore,
  handlers: HandlerRegistry<unknown>,
  schedules: readonly ScheduleSpec[],
  settings: Settings,
  write: (text: string) => void,
  human: boolean,
  logger: Logger,
  id: string,
): Promise<Scheduler> {
  const { removed } = await store.scheduleSync({ schedules });
  if (removed.length > 0 && human) {
    write(`${dim(`schedules no longer in the config (kept, not run): ${removed.join(', ')}`)}\n`);
  }
  const scheduler = createScheduler({
    store,
    handlers,
    defaults: {
      ...(settings.retries.max === undefined ? {} : { retries: settings.retries.max }),
      ...(settings.retries.backoff === undefined ? {} : { backoff: settings.retries.backoff }),
    },
    logger,
    id,
  });
  await scheduler.start();
  return scheduler;
}

/** True when an isolated handler's module is TypeScript (its child then needs tsx). */
function needsTypeScript(handlers: HandlerRegistry<unknown>): boolean {
  return handlers.list().some((h) => /\.[cm]?tsx?$/.test(h.isolate?.module ?? ''));
}

/** `completed 1d · failed 14d · cancelled 7d (+2 queues)` for the banner. */
function describeRetention(settings: RetentionSettings): string {
  const parts = RETENTION_STATES.map((s) => `${s} ${formatRetention(settings.defaults[s])}`);
  const more = settings.queues.length === 0 ? '' : ` (+${settings.queues.length} queues differ)`;
  return `${parts.join(' · ')}${more}`;
}

function banner(
  server: Listening | undefined,
  dashboardDir: string | null,
  database: Database,
  worker: Worker | undefined,
  handlers: HandlerRegistry<unknown>,
  command: string,
  retention?: RetentionSettings,
  metricsServer?: Listening,
): string {
  const names = handlers.list().map((h) => h.name);
  const lines = [`${bold(`jobs ${command}`)} is running`];
  if (server !== undefined) {
    lines.push(
      `  dashboard  ${cyan(`${server.url}/`)}${dashboardDir === null ? dim(' (not built: a page with links)') : ''}`,
      `  api        ${server.url}/api   docs ${server.url}/docs`,
      `  metrics    ${server.url}/metrics`,
    );
  }
  if (metricsServer !== undefined) lines.push(`  metrics    ${metricsServer.url}/metrics`);
  lines.push(`  database   ${database.description}`);
  if (retention !== undefined) lines.push(`  retention  ${describeRetention(retention)}`);
  if (worker !== undefined) lines.push(`  worker     ${worker.id}`);
  lines.push(`  handlers   ${names.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Waits for SIGINT/SIGTERM: the first stops everything gracefully, a second exits at once. */
function waitForSignal(context: CommandContext, stopAll: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        context.stderr.write(`${signal} again: exiting at once\n`);
        process.exit(130);
      }
      stopping = true;
      context.stderr.write(
        `\n${signal}: stopping (running jobs get time to finish; Ctrl-C again to exit at once)\n`,
      );
      stopAll().then(
        () => {
          context.stderr.write('stopped\n');
          resolve(0);
        },
        (error: unknown) => {
          context.stderr.write(`stopping failed: ${String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
