/**
 * Terminology
 * - flow: jobs enqueued together with dependencies between them (a graph without cycles).
 * - dependency: a job another job waits for; that other job is its dependent.
 * - settled: a dependency that finished (`completed`, `failed` or `cancelled`).
 * - policy: what a dependent does when one of its dependencies fails for good or is cancelled:
 *   `cancel` (the default: it is cancelled, saying why) or `run` (it runs anyway).
 * - re-arm: a hand retry of a dependency that cancelled its dependents puts them back to
 *   `waiting`.
 */
import { ValidationError } from './errors.js';
import { validateJobId } from './ids.js';
import type { Job, JobState } from './job.js';

/** What a dependent does when a dependency fails for good or is cancelled. */
export const DEPENDENCY_POLICIES = ['cancel', 'run'] as const;

/** One of `DEPENDENCY_POLICIES`. */
export type DependencyPolicy = (typeof DEPENDENCY_POLICIES)[number];

/** The policy a dependent follows unless told otherwise. */
export const DEFAULT_DEPENDENCY_POLICY: DependencyPolicy = 'cancel';

/** Bounds a flow (and one enqueue's `dependsOn`) is checked against. */
export const FLOW_LIMITS = Object.freeze({
  /** Jobs in one flow. */
  maxJobs: 20_000,
  /** Dependencies in one flow, all jobs together. */
  maxDependencies: 100_000,
  /** Characters of a job's key in a flow. */
  maxKeyLength: 128,
});

/** What a flow's job key looks like: letters, digits and `_.:-`. */
export const FLOW_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/** True for a valid key: FLOW_KEY_PATTERN, and not `__proto__` (which objects cannot hold as data). */
export function isFlowKey(key: string): boolean {
  return FLOW_KEY_PATTERN.test(key) && key !== '__proto__';
}

/** A dependency as the store inserts it: on a job of the same flow (by index) or an existing job. */
export type DependencyTarget = { readonly index: number } | { readonly id: string };

/** One edge of a flow to insert: job `job` (index in the flow) waits for `on`. */
export interface NewDependency {
  readonly job: number;
  readonly on: DependencyTarget;
  readonly policy: DependencyPolicy;
}

/** One job of a flow's graph as a store reads it back: its state, and what it waits for. */
export interface FlowNode {
  readonly id: string;
  readonly handler: string;
  readonly method: string;
  readonly state: JobState;
  /** The jobs it waits for, each with the policy it follows if that one fails. */
  readonly dependsOn: readonly { readonly id: string; readonly policy: DependencyPolicy }[];
  /** Set when this job was cancelled by a dependency that failed or was cancelled. */
  readonly cancelledBy: string | null;
}

/** The flow around one job: every job linked to it through dependencies, bounded in count. */
export interface JobFlow {
  /** The job asked about. */
  readonly id: string;
  /** The jobs of the graph, by id ascending; the job itself included. */
  readonly nodes: readonly FlowNode[];
  /** True when the graph had more jobs than were read. */
  readonly truncated: boolean;
}

/** A dependency's result, as a dependent reads it in its handler (`jobContext().parents()`). */
export interface DependencyResult {
  /** The dependency's id. */
  readonly id: string;
  /** Its key in the flow that enqueued both, when there was one. */
  readonly key: string | null;
  readonly handler: string;
  readonly method: string;
  /** `completed`, or `failed`/`cancelled` for a dependent with the `run` policy. */
  readonly state: JobState;
  /** What it returned (null unless completed). */
  readonly result: Job['result'];
}

/** Returns `value` as a dependency policy, or throws a ValidationError naming `field`. */
export function validateDependencyPolicy(value: unknown, field: string): DependencyPolicy {
  if (typeof value === 'string' && (DEPENDENCY_POLICIES as readonly string[]).includes(value)) {
    return value as DependencyPolicy;
  }
  throw new ValidationError(field, `must be one of ${DEPENDENCY_POLICIES.join(', ')}`);
}

/** Returns `value` as a list of existing job ids (no repeats), or throws naming `field`. */
export function validateDependsOnIds(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array of job ids');
  if (value.length > FLOW_LIMITS.maxDependencies) {
    throw new ValidationError(field, `must hold at most ${FLOW_LIMITS.maxDependencies}`);
  }
  const seen = new Set<string>();
  return value.map((id: unknown, index) => {
    const checked = validateJobId(id, `${field}.${index}`);
    if (seen.has(checked)) throw new ValidationError(`${field}.${index}`, `repeats job ${checked}`);
    seen.add(checked);
    return checked;
  });
}

/** A flow's graph before insertion: each job's key and the keys or ids it waits for. */
export interface FlowGraphInput {
  readonly keys: readonly string[];
  /** For each job (same order as `keys`): keys of the flow, or `{ id }` of existing jobs. */
  readonly dependsOn: readonly (readonly (string | { readonly id: string })[])[];
  readonly policies: readonly DependencyPolicy[];
}

/**
 * Checks a flow's graph as a whole and returns its edges for the store: keys well formed and
 * unique, references known, no job waiting for itself, no cycle, within FLOW_LIMITS. Every
 * error is a ValidationError naming the job (`jobs.zip.dependsOn.2`, `jobs.a`).
 */
export function validateFlowGraph(graph: FlowGraphInput): NewDependency[] {
  const { keys, dependsOn, policies } = graph;
  if (keys.length === 0) throw new ValidationError('jobs', 'must hold at least one job');
  if (keys.length > FLOW_LIMITS.maxJobs) {
    throw new ValidationError('jobs', `must hold at most ${FLOW_LIMITS.maxJobs} jobs`);
  }
  const indexOf = new Map<string, number>();
  for (const [index, key] of keys.entries()) {
    if (!isFlowKey(key)) {
      throw new ValidationError(`jobs.${key}`, 'is not a valid key (letters, digits, _.:-)');
    }
    indexOf.set(key, index);
  }
  const edges: NewDependency[] = [];
  for (const [index, refs] of dependsOn.entries()) {
    const key = keys[index] ?? String(index);
    const field = `jobs.${key}.dependsOn`;
    const seen = new Set<string>();
    for (const [n, ref] of refs.entries()) {
      const at = `${field}.${n}`;
      const policy = policies[index] ?? DEFAULT_DEPENDENCY_POLICY;
      if (typeof ref === 'string') {
        const target = indexOf.get(ref);
        if (target === undefined) throw new ValidationError(at, `names no job of the flow: ${ref}`);
        if (target === index) throw new ValidationError(at, `job ${key} cannot wait for itself`);
        if (seen.has(`k:${ref}`)) throw new ValidationError(at, `repeats ${ref}`);
        seen.add(`k:${ref}`);
        edges.push({ job: index, on: { index: target }, policy });
      } else {
        const id = validateJobId(ref.id, `${at}.id`);
        if (seen.has(`i:${id}`)) throw new ValidationError(at, `repeats job ${id}`);
        seen.add(`i:${id}`);
        edges.push({ job: index, on: { id }, policy });
      }
      if (edges.length > FLOW_LIMITS.maxDependencies) {
        throw new ValidationError(
          'jobs',
          `must hold at most ${FLOW_LIMITS.maxDependencies} dependencies`,
        );
      }
    }
  }
  const cycle = findCycle(keys.length, edges);
  if (cycle !== null) {
    const names = cycle.map((i) => keys[i] ?? String(i));
    throw new ValidationError(`jobs.${names[0]}`, `is in a cycle: ${names.join(' → ')}`);
  }
  return edges;
}

/**
 * A cycle among the flow's jobs (indices, the first repeated at the end), or null. Iterative
 * depth-first search, so a chain of thousands of jobs does not overflow the stack.
 */
export function findCycle(count: number, edges: readonly NewDependency[]): number[] | null {
  const next: number[][] = Array.from({ length: count }, () => []);
  for (const edge of edges) {
    if ('index' in edge.on) next[edge.job]?.push(edge.on.index);
  }
  // 0: not seen, 1: on the current path, 2: done.
  const mark = new Uint8Array(count);
  for (let start = 0; start < count; start++) {
    if (mark[start] !== 0) continue;
    const path: number[] = [start];
    const cursor: number[] = [0];
    mark[start] = 1;
    while (path.length > 0) {
      const node = path[path.length - 1] as number;
      const at = cursor[cursor.length - 1] as number;
      const targets = next[node] ?? [];
      if (at < targets.length) {
        cursor[cursor.length - 1] = at + 1;
        const target = targets[at] as number;
        if (mark[target] === 1) return [...path.slice(path.indexOf(target)), target];
        if (mark[target] === 0) {
          mark[target] = 1;
          path.push(target);
          cursor.push(0);
        }
      } else {
        mark[node] = 2;
        path.pop();
        cursor.pop();
      }
    }
  }
  return null;
}

/** How a flow's job starts: its state (null: as any new job) and the dependency that cancelled it. */
export interface InitialFlowState {
  readonly state: 'waiting' | 'cancelled' | null;
  readonly cancelledBy: DependencyTarget | null;
}

/**
 * The state each job of a flow starts in, decided before insertion: `waiting` while a
 * dependency is unfinished, `cancelled` when a dependency already failed or was cancelled and
 * its policy is `cancel` (following the flow's own edges: a job waiting with `cancel` for a
 * cancelled one is cancelled too), or null to start as any new job does (`queued`, or
 * `scheduled` when due later). `existing` gives the state of each existing job named by id.
 * The graph must be free of cycles (see validateFlowGraph).
 */
export function initialFlowStates(
  count: number,
  edges: readonly NewDependency[],
  existing: ReadonlyMap<string, JobState>,
): InitialFlowState[] {
  const byJob: NewDependency[][] = Array.from({ length: count }, () => []);
  const dependents: number[][] = Array.from({ length: count }, () => []);
  const pending = new Uint32Array(count);
  for (const edge of edges) {
    byJob[edge.job]?.push(edge);
    if ('index' in edge.on) {
      dependents[edge.on.index]?.push(edge.job);
      pending[edge.job] = (pending[edge.job] ?? 0) + 1;
    }
  }
  const out: InitialFlowState[] = new Array(count);
  // Kahn's order: a job is decided after every job of the flow it waits for.
  const ready: number[] = [];
  for (let i = 0; i < count; i++) if (pending[i] === 0) ready.push(i);
  while (ready.length > 0) {
    const index = ready.pop() as number;
    out[index] = decideStart(byJob[index] ?? [], existing, out);
    for (const dependent of dependents[index] ?? []) {
      pending[dependent] = (pending[dependent] ?? 1) - 1;
      if (pending[dependent] === 0) ready.push(dependent);
    }
  }
  return out;
}

function decideStart(
  edges: readonly NewDependency[],
  existing: ReadonlyMap<string, JobState>,
  decided: readonly InitialFlowState[],
): InitialFlowState {
  let waiting = false;
  for (const edge of edges) {
    const on = edge.on;
    // A job of the flow is never finished at insertion, unless it starts cancelled.
    const state: JobState | undefined =
      'id' in on
        ? existing.get(on.id)
        : decided[on.index]?.state === 'cancelled'
          ? 'cancelled'
          : 'waiting';
    if (state === 'completed') continue;
    if (state === 'failed' || state === 'cancelled') {
      if (edge.policy === 'cancel') return { state: 'cancelled', cancelledBy: on };
      continue;
    }
    waiting = true;
  }
  return { state: waiting ? 'waiting' : null, cancelledBy: null };
}
