import {
  checkArity,
  type DependencyResult,
  type HandlerRegistry,
  type Job,
  type JsonValue,
  type ResolvedMethod,
  ValidationError,
  validateWithSchema,
} from '@jobs/core';
import type { AttemptStop } from './attempt-stop.js';
import { AttemptContext, runWithJobContext } from './context.js';
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

/** What running an attempt needs (the same for every attempt of a worker). */
export interface AttemptDeps {
  readonly registry: HandlerRegistry<unknown>;
  /** The dependencies of a job with their results (see `JobContext.parents`). */
  readonly parents: (job: Job) => Promise<readonly DependencyResult[]>;
  readonly isolation: {
    readonly killGraceMs: number;
    readonly execArgv: readonly string[];
    readonly cwd: string;
  };
}

/** Receives what an attempt came to, once. */
export type AttemptDone = (result: AttemptResult) => void;

/**
 * Runs one attempt of `job`: looks the method up on the allow-list (an unknown one fails the job
 * permanently and runs nothing), calls it in this process or in a child, and races it against
 * `stop` and the job's timeout. A handler that ignores its signal cannot hold the attempt: its
 * late result is discarded. Its progress and log lines go to `reporter`. `within` wraps the
 * handler's call (the executor passes the attempt's trace context).
 *
 * `done` is called once with the result: before this returns when the handler returns a plain
 * value (and for an attempt stopped before its start, whose handler is never called), later
 * otherwise. No promise is made for a handler that returns a plain value: with the job context
 * in an AsyncLocalStorage, every promise of the process is tracked, and a worker of no-op jobs
 * spent a tenth of its CPU on the promises of its own bookkeeping (see bench/README.md).
 */
export function runAttempt(
  job: Job,
  stop: AttemptStop,
  deps: AttemptDeps,
  reporter: ProgressReporter,
  within: <T>(call: () => T) => T,
  done: AttemptDone,
): void {
  let call: Call;
  let checked: readonly JsonValue[] | Promise<readonly JsonValue[]>;
  try {
    const method = deps.registry.resolve(job.handler, job.method);
    // A schema's own spans belong to the attempt too.
    checked = within(() => checkedParams(job, method));
    call = { job, method, stop, deps, reporter, within };
  } catch (error) {
    done({ kind: 'failed', error, permanent: true });
    return;
  }
  if (!(checked instanceof Promise)) {
    race(call, checked, done);
    return;
  }
  checked.then(
    (params) => race(call, params, done),
    (error: unknown) => done({ kind: 'failed', error, permanent: true }),
  );
}

/** One attempt's call, as `race` and `invoke` need it. */
interface Call {
  readonly job: Job;
  readonly method: ResolvedMethod;
  readonly stop: AttemptStop;
  readonly deps: AttemptDeps;
  readonly reporter: ProgressReporter;
  readonly within: <T>(call: () => T) => T;
}

/** Calls `done` once, with whichever comes first: the handler, the stop, or the timeout. */
function race(call: Call, params: readonly JsonValue[], done: AttemptDone): void {
  const { job, stop } = call;
  if (stop.stopped) {
    done(fromAbort(stop.reason));
    return;
  }
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
    done(result);
  };
  off = stop.onStop((reason) => settle(fromAbort(reason)));
  let outcome: AttemptResult | Promise<AttemptResult>;
  try {
    outcome = invoke(call, params);
  } catch (error) {
    // Only a hostile thrown value (one whose inspection throws) gets here.
    settle({ kind: 'failed', error, permanent: false });
    return;
  }
  if (outcome instanceof Promise) {
    outcome.then(settle, (error: unknown) => settle({ kind: 'failed', error, permanent: false }));
  } else settle(outcome);
}

/**
 * The params to call with. Rows can be written straight into the table, past the client's
 * checks: params that are not an array, that fail the method's schema, or (without a schema)
 * whose count the method does not take, fail the job permanently instead of reaching the handler.
 */
function checkedParams(
  job: Job,
  method: ResolvedMethod,
): readonly JsonValue[] | Promise<readonly JsonValue[]> {
  if (!Array.isArray(job.params)) {
    throw new ValidationError('params', `must be an array of arguments, not ${typeof job.params}`);
  }
  if (method.schema === undefined) {
    checkArity(method, job.params);
    return job.params;
  }
  return validateWithSchema(method.schema, job.params, 'params') as Promise<readonly JsonValue[]>;
}

/** Calls the handler; a handler that returns a plain value settles without a promise. */
function invoke(call: Call, params: readonly JsonValue[]): AttemptResult | Promise<AttemptResult> {
  const { job, method, stop, deps, reporter } = call;
  let value: unknown;
  try {
    value = call.within(() =>
      method.isolate === undefined
        ? runWithJobContext(new AttemptContext(job, stop, reporter, deps.parents), () =>
            method.call(params),
          )
        : isolated(job, params, method, stop.signal, deps, reporter),
    );
  } catch (error) {
    return failed(error);
  }
  let then: unknown;
  try {
    then =
      (typeof value === 'object' || typeof value === 'function') && value !== null
        ? (value as { then?: unknown }).then
        : undefined;
  } catch (error) {
    return failed(error);
  }
  if (typeof then !== 'function') return { kind: 'completed', value };
  return Promise.resolve(value).then(
    (resolved): AttemptResult => ({ kind: 'completed', value: resolved }),
    failed,
  );
}

function failed(error: unknown): AttemptResult {
  return { kind: 'failed', error, permanent: isPermanent(error) };
}

function isolated(
  job: Job,
  params: readonly JsonValue[],
  method: ResolvedMethod,
  signal: AbortSignal,
  deps: AttemptDeps,
  reporter: ProgressReporter,
): Promise<unknown> {
  const isolate = method.isolate;
  if (isolate === undefined) throw new Error('not an isolated handler');
  // The child cannot reach the store: it gets the dependencies' results with the call.
  return deps
    .parents(job)
    .then((parents) => runIsolatedCall(job, params, isolate, parents, signal, deps, reporter));
}

function runIsolatedCall(
  job: Job,
  params: readonly JsonValue[],
  isolate: NonNullable<ResolvedMethod['isolate']>,
  parents: readonly DependencyResult[],
  signal: AbortSignal,
  deps: AttemptDeps,
  reporter: ProgressReporter,
): Promise<unknown> {
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
        parents,
      },
    },
    {
      signal,
      killGraceMs: deps.isolation.killGraceMs,
      execArgv: deps.isolation.execArgv,
      onProgress: (value) => reporter.progress(value),
      onLog: (line) => reporter.log(line),
    },
  );
}

function fromAbort(reason: unknown): AttemptResult {
  return reason instanceof TimeoutError
    ? { kind: 'failed', error: reason, permanent: false }
    : { kind: 'aborted', reason };
}
