import { hostRuleProblem, MAKE_TOKEN_HINT, originRuleProblem, tokenProblem } from '@jobs/api';
import type { HandlerRegistry } from '@jobs/core';
import { createPgStore, type PgJobStore } from '@jobs/storage';
import {
  createJsonLogger,
  createWorker,
  keepRunningOnUnhandledRejections,
  type Logger,
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
}

/** The config file and its settings, for a daemon (a config is required). */
export async function loadDaemonSettings(
  context: CommandContext,
  command: string,
): Promise<{ file: string; settings: Settings; handlers: HandlerRegistry<unknown> }> {
  const given = typeof context.values.config === 'string' ? context.values.config : undefined;
  const file = findConfigFile(given, context.cwd);
  if (file === undefined) {
    throw new UsageError(`no jobs.config.ts in ${context.cwd}`, {
      hint: `create one that ends with \`export default defineConfig({ handlers })\` (see examples/jobs.config.ts), or run \`jobs ${command} --config <file>\``,
    });
  }
  const { config } = await loadConfig(file, context.cwd);
  const settings = resolveSettings(config, context.env);
  return { file, settings, handlers: config.handlers };
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
  const { file, settings, handlers } = await loadDaemonSettings(context, command);
  if (parts.api) checkServerSettings(settings);
  const human = context.stdout.isTTY === true;
  const write = (text: string) => context.stdout.write(text);
  const database = await openDatabase(settings, context.cwd);
  let store: PgJobStore | undefined;
  let worker: Worker | undefined;
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
    await step(() =>
      workerStarted ? worker?.stop({ graceMs: settings.worker.graceMs }) : undefined,
    );
    await step(() => store?.close());
    await step(() => database.stop());
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
    if (parts.worker) {
      const logger: Logger = human ? humanLogger(context.stderr) : createJsonLogger();
      worker = createWorker({
        store,
        handlers,
        queues: flags.queues ?? settings.queues.names,
        concurrency: flags.concurrency ?? settings.queues.concurrency,
        queueConcurrency: settings.queues.limits,
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
      write(banner(server, dashboardDir, database, worker, handlers, command));
    } else {
      write(banner(undefined, null, database, worker, handlers, command));
    }
    if (worker !== undefined) {
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

/** True when an isolated handler's module is TypeScript (its child then needs tsx). */
function needsTypeScript(handlers: HandlerRegistry<unknown>): boolean {
  return handlers.list().some((h) => /\.[cm]?tsx?$/.test(h.isolate?.module ?? ''));
}

function banner(
  server: Listening | undefined,
  dashboardDir: string | null,
  database: Database,
  worker: Worker | undefined,
  handlers: HandlerRegistry<unknown>,
  command: string,
): string {
  const names = handlers.list().map((h) => h.name);
  const lines = [`${bold(`jobs ${command}`)} is running`];
  if (server !== undefined) {
    lines.push(
      `  dashboard  ${cyan(`${server.url}/`)}${dashboardDir === null ? dim(' (not built: a page with links)') : ''}`,
      `  api        ${server.url}/api   docs ${server.url}/docs`,
    );
  }
  lines.push(`  database   ${database.description}`);
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
