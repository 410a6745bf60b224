import {
  IllegalTransitionError,
  JobNotFoundError,
  StoreUnavailableError,
  UnknownHandlerError,
  ValidationError,
} from './errors.js';
import { type DependencyPolicy, type JobFlow, validateDependencyPolicy } from './flow.js';
import {
  enqueueFlowOn,
  type FlowResult,
  type FlowSpecFor,
  insertPrepared,
  type PreparedJob,
  splitDependencyOptions,
  type UntypedFlowSpec,
} from './flow-client.js';
import type { HandlerName, HandlerRegistry, MethodName, MethodParams } from './handler-types.js';
import { validateJobId } from './ids.js';
import { JOB_STATES, type Job, type TraceCarrier } from './job.js';
import {
  type ClientDefaults,
  type EnqueueOptions,
  QUEUE_NAME_PATTERN,
  resolveClientDefaults,
} from './options.js';
import { prepareJobNow, type UntypedEnqueueSpec } from './prepare.js';
import {
  type JobRetentionStore,
  MANUAL_PRUNE_WAIT_MS,
  type PruneParams,
  type PruneResult,
  validatePruneParams,
} from './prune.js';
import type { RetentionSettings } from './retention.js';
import { type JobEventType, TRANSITION_SOURCES } from './states.js';
import type { JobListParams, JobPage, JobStore, NewJob, TransactionStore } from './store.js';
import { tracedSend } from './tracing.js';
import type { EnqueuedJob } from './unique.js';
import { checkInteger, isPlainObject, prefixField } from './validate.js';

/** Largest page `list` asks the store for. */
export const MAX_LIST_LIMIT = 1000;

/** Settings of a client. */
export interface ClientOptions {
  /** Replace some of `CLIENT_DEFAULTS`, e.g. with `clientDefaultsFromEnv(process.env)`. */
  readonly defaults?: Partial<ClientDefaults>;
  /** Largest JSON size of params in bytes (default `MAX_PARAMS_BYTES`, 1 MiB). */
  readonly maxParamsBytes?: number;
  /** What a dependent does when a dependency fails, unless told (default `cancel`). */
  readonly dependencyPolicy?: DependencyPolicy;
}

/** One typed job for `enqueueMany`: a handler, one of its methods and matching params. */
export type EnqueueSpecFor<T> = {
  [H in HandlerName<T>]: {
    [M in MethodName<T[H]>]: {
      readonly handler: H;
      readonly method: M;
      readonly params: Readonly<MethodParams<T[H], M>>;
      readonly options?: EnqueueOptions;
    };
  }[MethodName<T[H]>];
}[HandlerName<T>];

export type { UntypedEnqueueSpec } from './prepare.js';

/** `params, priority, delay` of `runBackgroundJob`; params may be left out when none are needed. */
export type RunBackgroundJobArgs<P> = [] extends P
  ? [params?: P | undefined, priority?: number | undefined, delay?: number | undefined]
  : [params: P, priority?: number | undefined, delay?: number | undefined];

/**
 * The enqueue methods, typed by the handler registry `T`: those of a client, and of a client
 * bound to a caller's transaction (`withTransaction`).
 */
export interface EnqueueClient<T> {
  /**
   * Enqueues `handler.method(...params)`; returns the stored job, `created: false` when its
   * unique key was held (the job is then the holder, unchanged).
   */
  enqueue<H extends HandlerName<T>, M extends MethodName<T[H]>>(
    handler: H,
    method: M,
    params: Readonly<MethodParams<T[H], M>>,
    options?: EnqueueOptions,
  ): Promise<EnqueuedJob>;
  /** Validates every spec, then inserts all in one store call, or none on any error (`jobs.3.priority`). */
  enqueueMany(specs: readonly EnqueueSpecFor<T>[]): Promise<EnqueuedJob[]>;
  /** The seed's helper: `delay` in seconds; priority and delay default to the client's defaults. */
  runBackgroundJob<H extends HandlerName<T>, M extends MethodName<T[H]>>(
    handler: H,
    method: M,
    ...args: RunBackgroundJobArgs<Readonly<MethodParams<T[H], M>>>
  ): Promise<EnqueuedJob>;
  /** `enqueue` for input that was not type-checked. */
  enqueueUntyped(spec: UntypedEnqueueSpec): Promise<EnqueuedJob>;
  /** `enqueueMany` for input that was not type-checked. */
  enqueueManyUntyped(specs: readonly UntypedEnqueueSpec[]): Promise<EnqueuedJob[]>;
  /**
   * Enqueues a graph of jobs by key, each waiting for the keys in its `dependsOn`: checked as
   * a whole (specs, unknown keys, cycles, self-dependencies, size), then inserted all or none.
   */
  enqueueFlow<K extends string>(flow: FlowSpecFor<T, K>): Promise<FlowResult<K>>;
  /** `enqueueFlow` for input that was not type-checked. */
  enqueueFlowUntyped(flow: UntypedFlowSpec): Promise<FlowResult<string>>;
}

/** Enqueues, finds, cancels and retries jobs; typed by the handler registry `T`. */
export interface Client<T> extends EnqueueClient<T> {
  /**
   * The same enqueue methods (same checks and defaults), inserting on the caller's open
   * transaction `tx`, so the jobs commit or roll back with it: no worker sees them before the
   * commit, and a rollback leaves nothing. Which `tx` kinds work is up to the store (the
   * PostgreSQL store: a drizzle transaction over postgres-js, a postgres-js TransactionSql, or
   * anything with `query(text, values)`). Every spec is checked before any statement runs, so
   * a ValidationError leaves `tx` usable.
   */
  withTransaction(tx: unknown): EnqueueClient<T>;
  /** One job, or null when no job has that id. */
  get(id: string): Promise<Job | null>;
  /** A filtered page of jobs. */
  list(params: JobListParams): Promise<JobPage>;
  /** Cancels a job; JobNotFoundError when missing, IllegalTransitionError when already final. */
  cancel(id: string): Promise<Job>;
  /** Makes a failed, cancelled, retrying or scheduled job run now; same errors as `cancel`. */
  retry(id: string): Promise<Job>;
  /**
   * Deletes finished jobs now (see `PruneParams`; without an age, each queue's retention
   * decides); waits for a pruner of another process rather than giving up. A store without
   * retention (`JobRetentionStore`) throws a ValidationError naming `store`.
   */
  prune(params?: PruneParams): Promise<PruneResult>;
  /** The retention in force: defaults and per-queue overrides (same store requirement). */
  retention(): Promise<RetentionSettings>;
  /** The jobs linked to job `id` by dependencies (at most `limit`, default 200), or null. */
  flow(id: string, options?: { readonly limit?: number }): Promise<JobFlow | null>;
}

/**
 * Fewest jobs of an `enqueueMany` that a store able to (`jobInsertStream`) takes in chunks:
 * below it one statement costs less than the streaming's round trips (measured with the
 * PostgreSQL store: slower at 1,000 and 2,000 jobs, faster from 5,000).
 */
export const STREAM_MIN_JOBS = 5_000;

/** Jobs checked per chunk handed to `jobInsertStream`. */
export const STREAM_CHUNK_JOBS = 500;

/**
 * The queues `specs` name (the client's default for those naming none), or null when some
 * spec needs more than a plain insert (a unique key, dependencies) or is malformed (the usual
 * checks then report it). Read from the specs as given (their other fields are checked later,
 * chunk by chunk), for the span's name.
 */
function plainQueues(
  specs: readonly UntypedEnqueueSpec[],
  defaultQueue: string,
): ReadonlySet<string> | null {
  const queues = new Set<string>();
  for (const spec of specs) {
    if (!isPlainObject(spec)) return null;
    const options = spec.options ?? undefined;
    if (options === undefined) {
      queues.add(defaultQueue);
      continue;
    }
    if (!isPlainObject(options)) return null;
    if ((options.uniqueKey ?? null) !== null || (options.dependsOn ?? null) !== null) return null;
    const queue = options.queue ?? defaultQueue;
    if (typeof queue !== 'string' || !QUEUE_NAME_PATTERN.test(queue)) return null;
    queues.add(queue);
  }
  return queues;
}

/** True when `store` also serves retention and pruning. */
export function hasRetention(store: object): store is JobRetentionStore {
  const s = store as Partial<JobRetentionStore>;
  return typeof s.jobPrune === 'function' && typeof s.retentionGet === 'function';
}

/** Most jobs `flow` reads around one job. */
export const MAX_FLOW_VIEW = 1000;

/** What checking the job at `prefix` threw, named after its field there. */
function atField(error: unknown, prefix: string): unknown {
  if (error instanceof ValidationError) return prefixField(error, prefix);
  if (error instanceof UnknownHandlerError) {
    const field = `${prefix}.${error.method === undefined ? 'handler' : 'method'}`;
    return new ValidationError(field, error.message, { cause: error });
  }
  return error;
}

/** A client over `store` that only enqueues what `registry` allows. */
export function createClient<T>(
  store: JobStore,
  registry: HandlerRegistry<T>,
  options: ClientOptions = {},
): Client<T> {
  const defaults = resolveClientDefaults(options.defaults);
  const policy = validateDependencyPolicy(options.dependencyPolicy ?? 'cancel', 'dependencyPolicy');
  const limits =
    options.maxParamsBytes === undefined ? {} : { maxParamsBytes: options.maxParamsBytes };

  // What a job that waits for no other job carries, shared by all of them.
  const noDependencies: PreparedJob['dependencies'] = Object.freeze({ dependsOn: null, policy });

  async function prepare(spec: UntypedEnqueueSpec): Promise<NewJob> {
    return (await prepareWaiting(spec, false)).job;
  }

  /**
   * Checks one spec; with `waits`, its options may also say which existing jobs it waits for.
   * Answers at once unless the method's schema has to run (see prepareJobNow).
   */
  function prepareWaiting(
    spec: UntypedEnqueueSpec,
    waits = true,
  ): PreparedJob | Promise<PreparedJob> {
    if (!isPlainObject(spec)) throw new ValidationError('job', 'must be an object');
    const split =
      waits && isPlainObject(spec.options)
        ? splitDependencyOptions(spec.options, policy)
        : undefined;
    const dependencies = split?.dependencies ?? noDependencies;
    const job = prepareJobNow(
      registry as HandlerRegistry<unknown>,
      split === undefined ? spec : { ...spec, options: split.rest },
      defaults,
      limits,
    );
    return job instanceof Promise
      ? job.then((checked) => ({ job: checked, dependencies }))
      : { job, dependencies };
  }

  async function insertOne(
    target: TransactionStore,
    spec: UntypedEnqueueSpec,
  ): Promise<EnqueuedJob> {
    const [job] = await insertPrepared(target, [await prepareWaiting(spec)], () => '');
    if (job === undefined) throw new StoreUnavailableError('the store inserted no job');
    return job;
  }

  async function insertMany(
    target: TransactionStore,
    specs: readonly UntypedEnqueueSpec[],
  ): Promise<EnqueuedJob[]> {
    if (!Array.isArray(specs)) throw new ValidationError('jobs', 'must be an array');
    // On the store's own connections, a large batch of plain jobs streams to the store: it
    // writes the first chunk while the next is checked (all or none all the same).
    if (
      target === store &&
      store.jobInsertStream !== undefined &&
      specs.length >= STREAM_MIN_JOBS
    ) {
      const queues = plainQueues(specs, defaults.queue);
      if (queues !== null) return insertStreamed(store.jobInsertStream.bind(store), specs, queues);
    }
    const jobs: PreparedJob[] = [];
    for (let index = 0; index < specs.length; index++) {
      const prepared = checkedAt(
        specs[index] as UntypedEnqueueSpec,
        () => `jobs.${index}`,
        prepareWaiting,
      );
      jobs.push(prepared instanceof Promise ? await prepared : prepared);
    }
    return insertPrepared(target, jobs, (index) => `jobs.${index}.`);
  }

  function insertStreamed(
    insert: NonNullable<JobStore['jobInsertStream']>,
    specs: readonly UntypedEnqueueSpec[],
    queues: ReadonlySet<string>,
  ): Promise<EnqueuedJob[]> {
    const [queue] = queues;
    return tracedSend(
      specs.length,
      queues.size === 1 && queue !== undefined ? queue : null,
      (trace) => insert({ count: specs.length, chunks: preparedChunks(specs, trace) }),
    );
  }

  /** `specs` checked chunk by chunk (errors name `jobs.N.field`), each job given `trace`. */
  async function* preparedChunks(
    specs: readonly UntypedEnqueueSpec[],
    trace: TraceCarrier | null,
  ): AsyncGenerator<readonly NewJob[]> {
    for (let from = 0; from < specs.length; from += STREAM_CHUNK_JOBS) {
      const chunk: NewJob[] = [];
      const to = Math.min(from + STREAM_CHUNK_JOBS, specs.length);
      for (let index = from; index < to; index++) {
        const prepared = checkedAt(
          specs[index] as UntypedEnqueueSpec,
          () => `jobs.${index}`,
          prepareWaiting,
        );
        const { job } = prepared instanceof Promise ? await prepared : prepared;
        chunk.push(trace === null ? job : { ...job, traceContext: trace });
      }
      yield chunk;
    }
  }

  /**
   * `check(spec)` with its errors named after the job's place (`prefix()`, e.g. `jobs.3`): a
   * value when the check answered at once, else a promise. The place's name is built only for
   * an error.
   */
  function checkedAt<P>(
    spec: UntypedEnqueueSpec,
    prefix: () => string,
    check: (spec: UntypedEnqueueSpec) => P | Promise<P>,
  ): P | Promise<P> {
    let checked: P | Promise<P>;
    try {
      checked = check(spec);
    } catch (error) {
      throw atField(error, prefix());
    }
    if (!(checked instanceof Promise)) return checked;
    return checked.then(undefined, (error: unknown) => {
      throw atField(error, prefix());
    });
  }

  async function change(
    id: string,
    event: Extract<JobEventType, 'cancel' | 'retry-now'>,
    apply: (ids: readonly string[]) => Promise<Job[]>,
  ): Promise<Job> {
    validateJobId(id);
    const [changed] = await apply([id]);
    if (changed !== undefined) return changed;
    const current = await store.jobGet({ id });
    if (current === null) throw new JobNotFoundError(id);
    const legal = TRANSITION_SOURCES[event].includes(current.state);
    throw new IllegalTransitionError(
      current.state,
      event,
      legal ? 'it changed state meanwhile; try again' : undefined,
    );
  }

  function insertFlow(
    target: TransactionStore,
    flow: UntypedFlowSpec,
  ): Promise<Record<string, Job>> {
    return enqueueFlowOn(
      target,
      flow,
      async (spec, prefix) => checkedAt(spec, () => prefix, prepare),
      policy,
    );
  }

  /** The enqueue methods, inserting through `target`. */
  function enqueueClient(target: TransactionStore): EnqueueClient<T> {
    return {
      enqueue: (handler, method, params, enqueueOptions) =>
        insertOne(target, { handler, method, params, options: enqueueOptions }),
      enqueueMany: (specs) => insertMany(target, specs),
      runBackgroundJob: (handler, method, ...[params, priority, delay]) =>
        insertOne(target, {
          handler,
          method,
          params,
          options: {
            ...(priority === undefined ? {} : { priority }),
            ...(delay === undefined ? {} : { delay }),
          },
        }),
      enqueueUntyped: (spec) => insertOne(target, spec),
      enqueueManyUntyped: (specs) => insertMany(target, specs),
      enqueueFlow: async <K extends string>(flow: FlowSpecFor<T, K>) =>
        ({ jobs: await insertFlow(target, flow) }) as FlowResult<K>,
      enqueueFlowUntyped: async (flow) => ({ jobs: await insertFlow(target, flow) }),
    };
  }

  return {
    ...enqueueClient(store),
    withTransaction(tx) {
      if (store.withExecutor === undefined) {
        throw new ValidationError('tx', 'this store cannot enqueue inside a caller’s transaction');
      }
      return enqueueClient(store.withExecutor(tx));
    },
    async get(id) {
      validateJobId(id);
      return store.jobGet({ id });
    },
    async list(params) {
      checkInteger(params.limit, 'limit', 1, MAX_LIST_LIMIT);
      for (const [index, state] of (params.states ?? []).entries()) {
        if (!(JOB_STATES as readonly string[]).includes(state)) {
          throw new ValidationError(`states.${index}`, `must be one of ${JOB_STATES.join(', ')}`);
        }
      }
      return store.jobList(params);
    },
    cancel: (id) => change(id, 'cancel', (ids) => store.jobCancel({ ids })),
    retry: (id) => change(id, 'retry-now', (ids) => store.jobRetry({ ids })),
    async prune(params = {}) {
      const checked = validatePruneParams(params);
      if (!hasRetention(store)) throw new ValidationError('store', 'does not support pruning');
      return store.jobPrune({ waitMs: MANUAL_PRUNE_WAIT_MS, ...checked });
    },
    async retention() {
      if (!hasRetention(store)) throw new ValidationError('store', 'does not support retention');
      return store.retentionGet();
    },
    async flow(id, options = {}) {
      validateJobId(id);
      const limit = checkInteger(options.limit ?? 200, 'limit', 1, MAX_FLOW_VIEW);
      if (store.flowGet === undefined) return null;
      return store.flowGet({ id, limit });
    },
  };
}
