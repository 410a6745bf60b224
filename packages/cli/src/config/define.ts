import type { HandlerRegistry, RetryPolicy } from '@jobs/core';

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
  /** What the worker of `jobs start` / `jobs worker` serves, and how much at once. */
  readonly queues?: QueuesConfig;
  /** Retries of jobs enqueued without `retries` (MAX_RETRIES wins); a number or `{ max, backoff }`. */
  readonly retries?: number | RetriesConfig;
  /** The job log and the error log: file paths, or directories to hold them. */
  readonly logs?: LogsConfig;
  /** The HTTP API (and dashboard) of `jobs start` / `jobs serve`, and where commands find it. */
  readonly api?: ApiConfig;
  /** Worker timings. */
  readonly worker?: WorkerConfig;
  /** Jobs that wait for other jobs (flows and `dependsOn`). */
  readonly flows?: FlowsConfig;
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

/** Settings of the queues a worker serves. */
export interface QueuesConfig {
  /** Queues to serve (default: all); `--queues a,b` wins. */
  readonly names?: readonly string[];
  /** Jobs run at once over all queues (default 10); `--concurrency N` wins. */
  readonly concurrency?: number;
  /** Jobs run at once in some queues, on top of the total, e.g. `{ reports: 1 }`. */
  readonly limits?: Readonly<Record<string, number>>;
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

/** Timings of the worker. */
export interface WorkerConfig {
  /** How long a stopping worker lets running jobs finish before releasing them (default 10 s). */
  readonly graceMs?: number;
  /** Milliseconds between claims when nothing wakes the worker (default 1,000). */
  readonly pollIntervalMs?: number;
}

/** Types a `jobs.config.ts` default export; returns it unchanged (it is checked when loaded). */
export function defineConfig<T>(config: JobsConfig<T>): JobsConfig<T> {
  return config;
}
