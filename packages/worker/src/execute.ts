import {
  type HandlerRegistry,
  type Job,
  type JsonValue,
  type ResolvedMethod,
  ValidationError,
  validateWithSchema,
} from '@jobs/core';
import type { AttemptStop } from './attempt-stop.js';
import { type JobContext, runWithJobContext } from './context.js';
import { isPermanent } from './error-entry.js';
import { TimeoutError } from './errors.js';
import { runIsolated } from './isolate/child-process.js';
import type { ProgressReporter } from './progress.js';

/** What one attempt came to, as far as the handler is concerned. */
export type AttemptResult =
  /** The handler returned `value`. */
  | { readonly kind: 'completed'; readonly value: unknown }
  /** The handler threw, timed out, or could not be found (`permanent` skips retries). */
  | { readonly kind: 'failed'; readonly error: unknown; readonly permanent: boolean }
  /** The attempt was stopped from outside (cancel, lease lost, shutdown); `reason` says which. */
  | { readonly kind: 'aborted'; readonly reason: unknown };

/** What running an attempt needs. */
export interface AttemptDeps {
  readonly registry: HandlerRegistry<unknown>;
  readonly reporter: ProgressReporter;
  readonly isolation: {
    readonly killGraceMs: number;
    readonly execArgv: readonly string[];
    readonly cwd: string;
  };
}

/**
 * Runs one attempt of `job`: looks the method up on the allow-list (an unknown one fails the job
 * permanently and runs nothing), calls it in this process or in a child, and races it against
 * `stop` and the job's timeout. A handler that ignores its signal cannot hold
 * the attempt: its late result is discarded.
 */
export async function runAttempt(
  job: Job,
  stop: AttemptStop,
  deps: AttemptDeps,
): Promise<AttemptResult> {
  let method: ResolvedMethod;
  let params: readonly JsonValue[];
  try {
    method = deps.registry.resolve(job.handler, job.method);
    const checked = checkedParams(job, method);
    params = checked instanceof Promise ? await checked : checked;
  } catch (error) {
    return { kind: 'failed', error, permanent: true };
  }
  if (stop.stopped) return fromAbort(stop.reason);
  // One promise settled by whichever comes first: the handler, the stop, or the timeout.
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    let off = () => {};
    const timer =
      job.timeoutMs !== null && job.timeoutMs > 0
        ? setTimeout(() => stop.stop(new TimeoutError(job.timeoutMs ?? 0)), job.timeoutMs)
        : undefined;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      off();
      resolve(result);
    };
    off = stop.onStop((reason) => settle(fromAbort(reason)));
    // The handler starts after the caller's current work (a claimed batch is all marked
    // started first), as it did when a promise was awaited here.
    queueMicrotask(() => {
      if (settled) return;
      void invoke(job, params, method, stop, deps).then(settle, (error: unknown) =>
        settle({ kind: 'failed', error, permanent: false }),
      );
    });
  });
}

/**
 * The params to call with. Rows can be written straight into the table, past the client's
 * checks: params that are not an array, or that fail the method's schema, fail the job
 * permanently instead of reaching the handler.
 */
function checkedParams(
  job: Job,
  method: ResolvedMethod,
): readonly JsonValue[] | Promise<readonly JsonValue[]> {
  if (!Array.isArray(job.params)) {
    throw new ValidationError('params', `must be an array of arguments, not ${typeof job.params}`);
  }
  if (method.schema === undefined) return job.params;
  return validateWithSchema(method.schema, job.params, 'params') as Promise<readonly JsonValue[]>;
}

async function invoke(
  job: Job,
  params: readonly JsonValue[],
  method: ResolvedMethod,
  stop: AttemptStop,
  deps: AttemptDeps,
): Promise<AttemptResult> {
  try {
    const value =
      method.isolate === undefined
        ? await inProcess(job, params, method, stop, deps)
        : await isolated(job, params, method, stop.signal, deps);
    return { kind: 'completed', value };
  } catch (error) {
    return { kind: 'failed', error, permanent: isPermanent(error) };
  }
}

function inProcess(
  job: Job,
  params: readonly JsonValue[],
  method: ResolvedMethod,
  stop: AttemptStop,
  deps: AttemptDeps,
): unknown {
  const context: JobContext = Object.freeze({
    id: job.id,
    attempt: job.attempt,
    queue: job.queue,
    handler: job.handler,
    method: job.method,
    get signal() {
      return stop.signal;
    },
    progress: (value: unknown) => deps.reporter.progress(value),
    log: (line: string) => deps.reporter.log(line),
  });
  return runWithJobContext(context, () => method.call(params));
}

function isolated(
  job: Job,
  params: readonly JsonValue[],
  method: ResolvedMethod,
  signal: AbortSignal,
  deps: AttemptDeps,
): Promise<unknown> {
  const isolate = method.isolate;
  if (isolate === undefined) throw new Error('not an isolated handler');
  return runIsolated(
    {
      type: 'run',
      module: isolate.module,
      ...(isolate.exportName === undefined ? {} : { exportName: isolate.exportName }),
      method: job.method,
      params,
      cwd: deps.isolation.cwd,
      job: {
        id: job.id,
        attempt: job.attempt,
        queue: job.queue,
        handler: job.handler,
        method: job.method,
      },
    },
    {
      signal,
      killGraceMs: deps.isolation.killGraceMs,
      execArgv: deps.isolation.execArgv,
      onProgress: (value) => deps.reporter.progress(value),
      onLog: (line) => deps.reporter.log(line),
    },
  );
}

function fromAbort(reason: unknown): AttemptResult {
  return reason instanceof TimeoutError
    ? { kind: 'failed', error: reason, permanent: false }
    : { kind: 'aborted', reason };
}
