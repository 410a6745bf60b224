import {
  type HandlerRegistry,
  parseRetentionConfig,
  type QueueLimitsPatch,
  type RetentionSettings,
  type RetryPolicy,
} from '@jobs/core';
import { UsageError } from '../cli/errors.js';
import type { JobsConfig } from './define.js';
import { queueLimitsFromConfig } from './queue-settings.js';

/** The environment as read by the CLI. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Everything a command needs, from the config with the environment laid over it. */
export interface Settings {
  readonly handlers: HandlerRegistry<unknown> | undefined;
  readonly database: {
    /** The server's URL; undefined: the embedded server. */
    readonly url: string | undefined;
    /** Where the URL came from. */
    readonly source: 'DATABASE_URL' | 'config' | 'embedded';
    readonly schema: string;
    /** Folder of the embedded server's files. */
    readonly dir: string;
    readonly migrate: boolean;
  };
  /** Limits across every worker per queue, written into the database when a daemon starts. */
  readonly queueLimits: Readonly<Record<string, QueueLimitsPatch>>;
  /** Retries and backoff of jobs enqueued without them; undefined: the API's own default. */
  readonly retries: { readonly max: number | undefined; readonly backoff: RetryPolicy | undefined };
  readonly logs: { readonly jobs: string | undefined; readonly errors: string | undefined };
  readonly api: {
    readonly port: number;
    readonly host: string;
    readonly token: string | undefined;
    /** Where the token came from, for messages. */
    readonly tokenSource: 'JOBS_API_TOKEN' | 'api.token';
    /** Hosts answered beyond loopback (JOBS_ALLOWED_HOSTS wins over api.allowedHosts). */
    readonly allowedHosts: readonly string[];
    /** Origins besides the server's own that may change state (JOBS_ALLOWED_ORIGINS wins). */
    readonly allowedOrigins: readonly string[];
    /** Where commands find the API. */
    readonly url: string;
  };
  /** The config's retention, written to the database when a daemon starts; undefined: none. */
  readonly retention: RetentionSettings | undefined;
  readonly worker: {
    /** Queues served; null: all. */
    readonly queues: readonly string[] | null;
    readonly concurrency: number;
    /** This worker's own per-queue limits (not across workers). */
    readonly queueConcurrency: Readonly<Record<string, number>>;
    readonly graceMs: number;
    readonly pollIntervalMs: number | undefined;
  };
  /** Where a daemon without the API serves /metrics; port undefined: it does not. */
  readonly metrics: { readonly port: number | undefined; readonly host: string };
  /** OTLP trace export: OTEL_TRACES_EXPORTER (otlp or none) wins over tracing.otlp. */
  readonly tracing: { readonly otlp: boolean };
  /** What a dependent does when a dependency fails, unless told (default cancel). */
  readonly flows: { readonly onDependencyFailure: 'cancel' | 'run' };
}

/** Default port of the API. */
export const DEFAULT_PORT = 3000;

/** Lays the environment over `config` (env wins) and fills in defaults. */
export function resolveSettings(config: JobsConfig | undefined, env: Env): Settings {
  const envUrl = nonEmpty(env.DATABASE_URL);
  const configUrl = config?.database?.url;
  const port = envInt(env, 'PORT', 0, 65_535) ?? config?.api?.port ?? DEFAULT_PORT;
  const host = config?.api?.host ?? '127.0.0.1';
  const retries = config?.retries;
  const maxFromConfig = typeof retries === 'number' ? retries : retries?.max;
  return {
    handlers: config?.handlers,
    database: {
      url: envUrl ?? configUrl,
      source:
        envUrl !== undefined ? 'DATABASE_URL' : configUrl !== undefined ? 'config' : 'embedded',
      schema: nonEmpty(env.JOBS_SCHEMA) ?? config?.database?.schema ?? 'jobs',
      dir: config?.database?.dir ?? '.jobs',
      migrate: config?.database?.migrate ?? true,
    },
    queueLimits: queueLimitsFromConfig(config?.queues),
    retries: {
      max: envInt(env, 'MAX_RETRIES', 0, 1000) ?? maxFromConfig,
      backoff: typeof retries === 'object' ? retries.backoff : undefined,
    },
    logs: {
      jobs: nonEmpty(env.BACKGROUND_JOB_LOG_DIRECTORY) ?? config?.logs?.jobs,
      errors: nonEmpty(env.BACKGROUND_JOB_ERROR_LOG_DIRECTORY) ?? config?.logs?.errors,
    },
    api: {
      port,
      host,
      token: nonEmpty(env.JOBS_API_TOKEN) ?? config?.api?.token,
      tokenSource: nonEmpty(env.JOBS_API_TOKEN) === undefined ? 'api.token' : 'JOBS_API_TOKEN',
      allowedHosts: envList(env, 'JOBS_ALLOWED_HOSTS') ?? config?.api?.allowedHosts ?? [],
      allowedOrigins: envList(env, 'JOBS_ALLOWED_ORIGINS') ?? config?.api?.allowedOrigins ?? [],
      url: stripSlash(
        nonEmpty(env.JOBS_URL) ??
          config?.api?.url ??
          `http://${urlHost(host)}:${port || DEFAULT_PORT}`,
      ),
    },
    worker: {
      queues: config?.worker?.queues ?? null,
      concurrency: config?.worker?.concurrency ?? 10,
      queueConcurrency: config?.worker?.queueConcurrency ?? {},
      graceMs: config?.worker?.graceMs ?? 10_000,
      pollIntervalMs: config?.worker?.pollIntervalMs,
    },
    retention: config?.retention === undefined ? undefined : parseRetentionConfig(config.retention),
    metrics: {
      port: config?.metrics?.port,
      host: config?.metrics?.host ?? '127.0.0.1',
    },
    tracing: { otlp: otlpFromEnv(env) ?? config?.tracing?.otlp ?? false },
    flows: { onDependencyFailure: config?.flows?.onDependencyFailure ?? 'cancel' },
  };
}

/**
 * OTEL_TRACES_EXPORTER as the OpenTelemetry SDKs read it: `otlp` on, `none` off, unset:
 * undefined. Other exporters (console, zipkin) are not built in.
 */
function otlpFromEnv(env: Env): boolean | undefined {
  const raw = nonEmpty(env.OTEL_TRACES_EXPORTER)?.toLowerCase();
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((name) => name.trim());
  if (names.includes('otlp')) return true;
  if (names.every((name) => name === 'none')) return false;
  throw new UsageError(`OTEL_TRACES_EXPORTER=${raw}: only "otlp" and "none" are built in`, {
    hint: 'set OTEL_TRACES_EXPORTER=otlp (and OTEL_EXPORTER_OTLP_ENDPOINT), or leave it unset',
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A comma-separated variable as its trimmed entries; undefined when unset or blank. */
function envList(env: Env, name: string): string[] | undefined {
  const raw = nonEmpty(env[name]);
  return raw?.split(',').flatMap((entry) => (entry.trim() === '' ? [] : [entry.trim()]));
}

function envInt(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** The host part of a URL for a listen address (wildcards become loopback). */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
