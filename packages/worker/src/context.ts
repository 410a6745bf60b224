import { AsyncLocalStorage } from 'node:async_hooks';
import type { DependencyResult, Job, JsonValue } from '@jobs/core';
import type { AttemptStop } from './attempt-stop.js';
import { NoJobContextError } from './errors.js';
import type { ProgressReporter } from './progress.js';

/** What a handler learns about the job it runs, and how it reports back. */
export interface JobContext {
  /** The job's id. */
  readonly id: string;
  /** The attempt being run (1-based). */
  readonly attempt: number;
  /** The job's queue. */
  readonly queue: string;
  /** The handler and method being run. */
  readonly handler: string;
  readonly method: string;
  /**
   * Aborts when the job is cancelled, times out, or the worker shuts down; `signal.reason` is a
   * JobCancelledError, TimeoutError, LeaseLostError or WorkerStoppingError.
   */
  readonly signal: AbortSignal;
  /** Stores the job's progress: a number (e.g. percent) or any JSON object. Throttled. */
  progress(value: number | { readonly [key: string]: JsonValue }): void;
  /** Appends a line to the job's log (cut to a bounded length). Batched. */
  log(line: string): void;
  /**
   * The jobs this one waited for (its `dependsOn`, in that order) with their states and
   * results: what a fan-in job collects. Empty for a job without dependencies.
   */
  parents(): Promise<readonly DependencyResult[]>;
}

/**
 * The context of an attempt run in this process. A class: an object literal with a getter
 * took about a microsecond to build, a noticeable share of a no-op job's cost.
 */
export class AttemptContext implements JobContext {
  readonly id: string;
  readonly attempt: number;
  readonly queue: string;
  readonly handler: string;
  readonly method: string;
  readonly progress: JobContext['progress'];
  readonly log: JobContext['log'];
  readonly parents: JobContext['parents'];
  readonly #stop: AttemptStop;

  constructor(
    job: Job,
    stop: AttemptStop,
    reporter: ProgressReporter,
    parents: (job: Job) => Promise<readonly DependencyResult[]>,
  ) {
    this.id = job.id;
    this.attempt = job.attempt;
    this.queue = job.queue;
    this.handler = job.handler;
    this.method = job.method;
    this.progress = reporter.progress;
    this.log = reporter.log;
    this.parents = () => parents(job);
    this.#stop = stop;
  }

  get signal(): AbortSignal {
    return this.#stop.signal;
  }
}

/** Where an isolated handler's runner (runtime/isolate-runner.mjs) puts the child's context. */
export const ISOLATED_CONTEXT_KEY: unique symbol = Symbol.for('@jobs/worker.isolated-context');

const storage = new AsyncLocalStorage<JobContext>();

/**
 * The context of the job whose handler is running (in this process, or in the child process
 * of an isolated handler). Throws NoJobContextError anywhere else.
 */
export function jobContext(): JobContext {
  const context = storage.getStore() ?? isolatedContext();
  if (context === undefined) throw new NoJobContextError();
  return context;
}

/** Runs `fn` with `context` as what `jobContext()` returns inside it. */
export function runWithJobContext<T>(context: JobContext, fn: () => T): T {
  return storage.run(context, fn);
}

function isolatedContext(): JobContext | undefined {
  const holder = globalThis as { [ISOLATED_CONTEXT_KEY]?: JobContext };
  return holder[ISOLATED_CONTEXT_KEY];
}
