import type { HandlerRegistry, RateLimit, RetryPolicy, ScheduleDefinition } from '@jobs/core';

/**
 * What `jobs.config.ts` exports (default export). Environment variables win over it:
 * DATABASE_URL, JOBS_SCHEMA, MAX_RETRIES, BACKGROUND_JOB_LOG_DIRECTORY,
 * BACKGROUND_JOB_ERROR_LOG_DIRECTORY, JOBS_API_TOKEN, JOBS_ALLOWED_HOSTS, JOBS_ALLOWED_ORIGINS,
 * PORT, JOBS_URL.
 */
export interface JobsConfig<T = unknown> {
  /** The allow-list, from `defineHandlers({...})`: only these handlers' methods ever run. */
  readonly handlers: HandlerRegistry<T>;
  /** Where jobs live; default: the embedded PostgreSQL in `./.jobs` (DATABASE_URL wins). */
  readonly database?: DatabaseConfig;
  /**
   * Limits of queues across every worker, by queue name, e.g. `{ mail: { concurrency: 3,
   * rateLimit: { limit: 50, periodMs: 1000 } } }`; written into the database when a daemon
   * starts (what `PATCH /api/queues/{name}` and `jobs queues set` change at run time).
   */
  readonly queues?: Readonly<Record<string, QueueSettingsConfig>>;
  /** Retries of jobs enqueued without `retries` (MAX_RETRIES wins); a number or `{ max, backoff }`. */
  readonly retries?: number | RetriesConfig;
  /** The job log and the error log: file paths, or directories to hold them. */
  readonly logs?: LogsConfig;
  /** The HTTP API (and dashboard) of `jobs start` / `jobs serve`, and where commands find it. */
  readonly api?: ApiConfig;
  /** What the worker serves, how much at once, and its timings. */
  readonly worker?: WorkerConfig;
  /**
   * Recurring jobs, upserted into the database when `jobs start` or `jobs worker` starts; one
   * removed from here is shown as removed (kept with its history) and enqueues nothing.
   */
  readonly schedules?: readonly ScheduleDefinition[];
  /**
   * How long finished jobs are kept (default completed 1 day, failed 14 days, cancelled 7
   * days). A daemon started with this config writes it to the database, where every daemon's
   * pruner reads it.
   */
  readonly retention?: RetentionConfig;
  /** Where a `jobs worker` serves its Prometheus metrics (`jobs start`/`serve`: at /metrics). */
  readonly metrics?: MetricsConfig;
  /** OpenTelemetry traces of the daemons. */
  readonly tracing?: TracingConfig;
  /** Jobs that wait for other jobs (flows and `dependsOn`). */
  readonly flows?: FlowsConfig;
}

/** A duration: milliseconds, or text with a unit (`'90s'`, `'15m'`, `'1h'`, `'7d'`, `'2w'`). */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd' | 'w'}`;

/** How long finished jobs of each final state are kept: `0` deletes at once, `null` keeps forever. */
export interface RetentionPolicyConfig {
  readonly completed?: Duration | null;
  readonly failed?: Duration | null;
  readonly cancelled?: Duration | null;
}

/** The defaults (states left out keep the built-in ones) and the queues that differ. */
export interface RetentionConfig extends RetentionPolicyConfig {
  /** Per queue, only the states that differ, e.g. `{ audit: { completed: null } }`. */
  readonly queues?: Readonly<Record<string, RetentionPolicyConfig>>;
}

/** Where a daemon without the API (`jobs worker`) serves /metrics; `--metrics-port` wins. */
export interface MetricsConfig {
  /** Port of the metrics server (default: none; 0 picks a free one). */
  readonly port?: number;
  /** Address to listen on (default 127.0.0.1; anything else needs JOBS_API_TOKEN). */
  readonly host?: string;
}

/** OpenTelemetry tracing of the daemons. */
export interface TracingConfig {
  /**
   * Export spans with OTLP over HTTP (default false; `--otel` or OTEL_TRACES_EXPORTER=otlp turn
   * it on, OTEL_TRACES_EXPORTER=none off). The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT and
   * the other OTEL_* variables; OTEL_SERVICE_NAME names the service (default `jobs-<command>`).
   */
  readonly otlp?: boolean;
}

/** Settings of flows. */
export interface FlowsConfig {
  /**
   * What a job does when a job it depends on fails for good or is cancelled, unless its
   * enqueue says: `cancel` (the default: it is cancelled, saying why) or `run` (it runs anyway).
   */
  readonly onDependencyFailure?: 'cancel' | 'run';
}

/** Settings of the database. */
export interface DatabaseConfig {
  /** A postgres:// URL (DATABASE_URL wins); without one, the embedded PostgreSQL runs. */
  readonly url?: string;
  /** The PostgreSQL schema holding the tables (default `jobs`; JOBS_SCHEMA wins). */
  readonly schema?: string;
  /** Folder of the embedded server's files (default `.jobs`, against the working directory). */
  readonly dir?: string;
  /** Bring the schema up to date when a daemon starts (default true). */
  readonly migrate?: boolean;
}

/**
 * One queue's limits across every worker; a limit left out is removed when a daemon starts.
 */
export interface QueueSettingsConfig {
  /** Most jobs of the queue running at once, on all workers together. */
  readonly concurrency?: number;
  /** Most running jobs sharing one `concurrencyKey` (default 1). */
  readonly keyConcurrency?: number;
  /** Most job starts per period, on all workers together, e.g. `{ limit: 50, periodMs: 1000 }`. */
  readonly rateLimit?: RateLimit;
}

/** Retries of enqueued jobs. */
export interface RetriesConfig {
  /** How many times a failed job is tried again (default 3; MAX_RETRIES wins). */
  readonly max?: number;
  /** Wait between attempts (default exponential from 1 s, capped at one hour). */
  readonly backoff?: RetryPolicy;
}

/** Where the two log files go (relative paths against the working directory). */
export interface LogsConfig {
  /** The job log (default `logs/background_jobs.log`; BACKGROUND_JOB_LOG_DIRECTORY wins). */
  readonly jobs?: string;
  /** The error log (default `logs/background_jobs_error.log`; BACKGROUND_JOB_ERROR_LOG_DIRECTORY wins). */
  readonly errors?: string;
}

/** Settings of the HTTP API. */
export interface ApiConfig {
  /** Port to listen on (default 3000; PORT wins; 0 picks a free one). */
  readonly port?: number;
  /** Address to listen on (default 127.0.0.1; anything else needs a token). */
  readonly host?: string;
  /** Bearer token the API requires, at least 32 characters (JOBS_API_TOKEN wins). */
  readonly token?: string;
  /**
   * Host names (`jobs.example.com`, or `name:port`) the server answers besides loopback names;
   * `'*'` answers any Host (JOBS_ALLOWED_HOSTS, comma separated, wins). Needed to reach it by
   * another name or address: requests with any other Host get 421, which stops DNS rebinding.
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Origins (`https://admin.example.com`) besides the server's own whose pages may POST, PUT,
   * PATCH and DELETE (JOBS_ALLOWED_ORIGINS, comma separated, wins). Others get 403.
   */
  readonly allowedOrigins?: readonly string[];
  /** Where commands such as `jobs run` find the API (JOBS_URL and --url win). */
  readonly url?: string;
}

/** What the worker of `jobs start` / `jobs worker` serves, how much at once, and its timings. */
export interface WorkerConfig {
  /** Queues to serve (default: all); `--queues a,b` wins. */
  readonly queues?: readonly string[];
  /** Jobs this worker runs at once over all queues (default 10); `--concurrency N` wins. */
  readonly concurrency?: number;
  /**
   * Jobs this worker runs at once in some queues, within its total, e.g. `{ reports: 1 }`
   * (per worker: for a limit across every worker, use `queues.<name>.concurrency`).
   */
  readonly queueConcurrency?: Readonly<Record<string, number>>;
  /** How long a stopping worker lets running jobs finish before releasing them (default 10 s). */
  readonly graceMs?: number;
  /** Milliseconds between claims when nothing wakes the worker (default 1,000). */
  readonly pollIntervalMs?: number;
}

/** Types a `jobs.config.ts` default export; returns it unchanged (it is checked when loaded). */
export function defineConfig<T>(config: JobsConfig<T>): JobsConfig<T> {
  return config;
}
