import type { EnqueueSpecFor, UntypedEnqueueSpec } from './client.js';
import { ValidationError } from './errors.js';
import {
  DEFAULT_DEPENDENCY_POLICY,
  type DependencyPolicy,
  FLOW_LIMITS,
  type NewDependency,
  validateDependencyPolicy,
  validateDependsOnIds,
  validateFlowGraph,
} from './flow.js';
import type { Job } from './job.js';
import { DEPENDENCY_OPTION_KEYS } from './options.js';
import type { NewFlow, NewJob, TransactionStore } from './store.js';
import { tracedInsert } from './tracing.js';
import type { EnqueuedJob } from './unique.js';
import { isPlainObject } from './validate.js';

/** One job of a flow, typed by the handler registry `T`; `K` is the flow's keys. */
export type FlowJobSpecFor<T, K extends string> = EnqueueSpecFor<T> & {
  /** Keys of jobs of this flow, or `{ id }` of existing jobs, to wait for. */
  readonly dependsOn?: readonly (K | { readonly id: string })[];
  /** What to do if a dependency fails for good or is cancelled (default `cancel`). */
  readonly onDependencyFailure?: DependencyPolicy;
};

/** A flow: jobs by key, each naming the keys it waits for. */
export interface FlowSpecFor<T, K extends string> {
  readonly jobs: { readonly [P in K]: FlowJobSpecFor<T, NoInfer<K>> };
}

/** The jobs of an enqueued flow, by key. */
export interface FlowResult<K extends string> {
  readonly jobs: { readonly [P in K]: Job };
}

/** A flow arriving untyped (HTTP API, CLI): everything is checked at run time. */
export interface UntypedFlowSpec {
  readonly jobs: unknown;
}

/** The dependency options of one enqueue, taken out of its options. */
export interface DependencyOptions {
  /** Existing jobs to wait for, or null for none. */
  readonly dependsOn: readonly string[] | null;
  readonly policy: DependencyPolicy;
}

/** Splits `dependsOn` and `onDependencyFailure` off enqueue options (checked, naming fields). */
export function splitDependencyOptions(
  options: Record<string, unknown>,
  defaultPolicy: DependencyPolicy = DEFAULT_DEPENDENCY_POLICY,
): {
  readonly rest: Record<string, unknown>;
  readonly dependencies: DependencyOptions;
} {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!(DEPENDENCY_OPTION_KEYS as readonly string[]).includes(key)) rest[key] = value;
  }
  const ids = options.dependsOn ?? undefined;
  const policy = options.onDependencyFailure ?? undefined;
  return {
    rest,
    dependencies: {
      dependsOn: ids === undefined ? null : validateDependsOnIds(ids, 'dependsOn'),
      policy:
        policy === undefined
          ? defaultPolicy
          : validateDependencyPolicy(policy, 'onDependencyFailure'),
    },
  };
}

/** A prepared job and what it waits for. */
export interface PreparedJob {
  readonly job: NewJob;
  readonly dependencies: DependencyOptions;
}

/**
 * Inserts prepared jobs: a plain insert when none waits for anything, otherwise one flow whose
 * edges point at existing jobs (a store error naming `dependencies.N` is turned into the
 * field of the job and id at fault, `dependsOn.0` or `jobs.2.dependsOn.0`).
 */
export async function insertPrepared(
  target: TransactionStore,
  prepared: readonly PreparedJob[],
  fieldOf: (job: number) => string,
): Promise<EnqueuedJob[]> {
  if (prepared.length === 0) return [];
  const jobs = prepared.map((p) => p.job);
  if (prepared.every((p) => p.dependencies.dependsOn === null)) {
    return tracedInsert(jobs, (traced) => target.jobInsert({ jobs: traced }));
  }
  const dependencies: NewDependency[] = [];
  const fields: string[] = [];
  for (const [index, p] of prepared.entries()) {
    for (const [n, id] of (p.dependencies.dependsOn ?? []).entries()) {
      dependencies.push({ job: index, on: { id }, policy: p.dependencies.policy });
      fields.push(`${fieldOf(index)}dependsOn.${n}`);
    }
  }
  if (dependencies.length > FLOW_LIMITS.maxDependencies) {
    throw new ValidationError('dependsOn', `must hold at most ${FLOW_LIMITS.maxDependencies}`);
  }
  // A job that waits is always a new one (flows refuse unique keys).
  return tracedInsert(jobs, async (traced) =>
    (
      await flowInsertOn(
        target,
        { jobs: traced, keys: traced.map(() => null), dependencies },
        fields,
      )
    ).map((job) => ({ ...job, created: true })),
  );
}

/** Inserts `flow` through `target`, naming the user's field when an existing id is unknown. */
export async function flowInsertOn(
  target: TransactionStore,
  flow: NewFlow,
  fields: readonly string[],
): Promise<Job[]> {
  if (target.flowInsert === undefined) {
    throw new ValidationError('dependsOn', 'this store cannot hold dependencies between jobs');
  }
  try {
    return await target.flowInsert(flow);
  } catch (error) {
    const at = error instanceof ValidationError ? /^dependencies\.(\d+)$/.exec(error.field) : null;
    const field = at === null ? undefined : fields[Number(at[1])];
    if (error instanceof ValidationError && field !== undefined) {
      const message = error.message.slice(error.field.length + 2);
      throw new ValidationError(field, message, { cause: error });
    }
    throw error;
  }
}

/**
 * Checks an untyped flow as a whole (every job's spec, then the graph) and inserts it in one
 * call, or nothing on any error. `prepareAt` checks one job's spec, prefixing its errors.
 */
export async function enqueueFlowOn(
  target: TransactionStore,
  flow: UntypedFlowSpec,
  prepareAt: (spec: UntypedEnqueueSpec, prefix: string) => Promise<NewJob>,
  defaultPolicy: DependencyPolicy = DEFAULT_DEPENDENCY_POLICY,
): Promise<Record<string, Job>> {
  if (!isPlainObject(flow)) throw new ValidationError('flow', 'must be an object');
  for (const key of Object.keys(flow)) {
    if (key !== 'jobs') throw new ValidationError(key, 'is not a flow field');
  }
  const specs = flow.jobs;
  if (!isPlainObject(specs)) throw new ValidationError('jobs', 'must be an object of jobs by key');
  const keys = Object.keys(specs);
  if (keys.length > FLOW_LIMITS.maxJobs) {
    throw new ValidationError('jobs', `must hold at most ${FLOW_LIMITS.maxJobs} jobs`);
  }
  const jobs: NewJob[] = [];
  const dependsOn: (string | { readonly id: string })[][] = [];
  const policies: DependencyPolicy[] = [];
  for (const key of keys) {
    const field = `jobs.${key}`;
    const spec = specs[key];
    if (!isPlainObject(spec)) throw new ValidationError(field, 'must be an object');
    const { dependsOn: refs, onDependencyFailure, ...jobSpec } = spec;
    const options = jobSpec.options;
    if (isPlainObject(options)) {
      for (const option of DEPENDENCY_OPTION_KEYS) {
        if (option in options) {
          throw new ValidationError(
            `${field}.options.${option}`,
            `give it on the job, beside options`,
          );
        }
      }
    }
    const job = await prepareAt(jobSpec as unknown as UntypedEnqueueSpec, field);
    if (job.uniqueKey !== null) {
      throw new ValidationError(`${field}.options.uniqueKey`, 'is not supported in a flow');
    }
    jobs.push(job);
    dependsOn.push(checkRefs(refs ?? [], `${field}.dependsOn`));
    policies.push(
      onDependencyFailure === undefined || onDependencyFailure === null
        ? defaultPolicy
        : validateDependencyPolicy(onDependencyFailure, `${field}.onDependencyFailure`),
    );
  }
  const dependencies = validateFlowGraph({ keys, dependsOn, policies });
  const fields = dependencies.map((edge) => {
    const refs = dependsOn[edge.job] ?? [];
    const n = refs.findIndex(
      (ref) => typeof ref !== 'string' && 'id' in edge.on && ref.id === edge.on.id,
    );
    return `jobs.${keys[edge.job]}.dependsOn.${n}`;
  });
  const inserted = await flowInsertOn(target, { jobs, keys, dependencies }, fields);
  return Object.fromEntries(keys.map((key, i) => [key, inserted[i] as Job]));
}

function checkRefs(value: unknown, field: string): (string | { readonly id: string })[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array of keys or { id }');
  return value.map((ref: unknown, n) => {
    if (typeof ref === 'string') return ref;
    if (isPlainObject(ref) && Object.keys(ref).length === 1 && typeof ref.id === 'string') {
      return { id: ref.id };
    }
    throw new ValidationError(`${field}.${n}`, 'must be a key of the flow or { id: "<job id>" }');
  });
}
