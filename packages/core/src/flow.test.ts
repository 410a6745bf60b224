import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import {
  FLOW_LIMITS,
  findCycle,
  initialFlowStates,
  type NewDependency,
  validateFlowGraph,
} from './flow.js';
import type { JobState } from './job.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

const graph = (dependsOn: Record<string, (string | { id: string })[]>) => ({
  keys: Object.keys(dependsOn),
  dependsOn: Object.values(dependsOn),
  policies: Object.keys(dependsOn).map(() => 'cancel' as const),
});

describe('validateFlowGraph', () => {
  it('returns the edges of a diamond, by index, with their policy', () => {
    expect(validateFlowGraph(graph({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }))).toEqual([
      { job: 1, on: { index: 0 }, policy: 'cancel' },
      { job: 2, on: { index: 0 }, policy: 'cancel' },
      { job: 3, on: { index: 1 }, policy: 'cancel' },
      { job: 3, on: { index: 2 }, policy: 'cancel' },
    ]);
  });

  it('names the job at fault for cycles, self-dependencies, unknown keys, repeats and bad ids', () => {
    expect(fieldOf(() => validateFlowGraph(graph({ a: ['c'], b: ['a'], c: ['b'] })))).toBe(
      'jobs.a',
    );
    expect(fieldOf(() => validateFlowGraph(graph({ a: ['a'] })))).toBe('jobs.a.dependsOn.0');
    expect(fieldOf(() => validateFlowGraph(graph({ a: [], b: ['a', 'zz'] })))).toBe(
      'jobs.b.dependsOn.1',
    );
    expect(fieldOf(() => validateFlowGraph(graph({ a: [], b: ['a', 'a'] })))).toBe(
      'jobs.b.dependsOn.1',
    );
    expect(fieldOf(() => validateFlowGraph(graph({ a: [{ id: '0' }] })))).toBe(
      'jobs.a.dependsOn.0.id',
    );
    expect(fieldOf(() => validateFlowGraph(graph({ 'bad key': [] })))).toBe('jobs.bad key');
    expect(fieldOf(() => validateFlowGraph(graph({})))).toBe('jobs');
  });

  it('refuses oversized graphs', () => {
    const keys = Array.from({ length: FLOW_LIMITS.maxJobs + 1 }, (_, i) => `k${i}`);
    const tooMany = {
      keys,
      dependsOn: keys.map(() => []),
      policies: keys.map(() => 'run' as const),
    };
    expect(fieldOf(() => validateFlowGraph(tooMany))).toBe('jobs');
  });

  it('finds no cycle in a chain of 20,000 (no recursion) and the one cycle closing it', () => {
    const n = 20_000;
    const chain: NewDependency[] = Array.from({ length: n - 1 }, (_, i) => ({
      job: i + 1,
      on: { index: i },
      policy: 'cancel',
    }));
    expect(findCycle(n, chain)).toBeNull();
    const closed = [...chain, { job: 0, on: { index: n - 1 }, policy: 'cancel' as const }];
    expect(findCycle(n, closed)?.length).toBe(n + 1);
  });

  it('agrees with a brute-force reachability check on random graphs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 16 }),
        (n, pairs) => {
          const edges: NewDependency[] = pairs
            .filter(([a, b]) => a < n && b < n)
            .map(([a, b]) => ({ job: a, on: { index: b }, policy: 'cancel' }));
          const reach = Array.from({ length: n }, (_, i) =>
            Array.from({ length: n }, (_, j) =>
              edges.some((e) => e.job === i && 'index' in e.on && e.on.index === j),
            ),
          );
          for (let k = 0; k < n; k++)
            for (let i = 0; i < n; i++)
              for (let j = 0; j < n; j++)
                if (reach[i]?.[k] && reach[k]?.[j]) (reach[i] as boolean[])[j] = true;
          const cyclic = reach.some((row, i) => row[i]);
          const found = findCycle(n, edges);
          expect(found !== null).toBe(cyclic);
          if (found !== null) expect(found[0]).toBe(found.at(-1));
        },
      ),
    );
  });
});

describe('initialFlowStates', () => {
  const existing = new Map<string, JobState>([
    ['1', 'completed'],
    ['2', 'failed'],
    ['3', 'running'],
  ]);

  it('waits for unfinished jobs, takes completed ones as done, follows the policy for failed ones', () => {
    const edges: NewDependency[] = [
      { job: 0, on: { id: '1' }, policy: 'cancel' },
      { job: 1, on: { id: '3' }, policy: 'cancel' },
      { job: 2, on: { id: '2' }, policy: 'cancel' },
      { job: 3, on: { id: '2' }, policy: 'run' },
      { job: 4, on: { index: 2 }, policy: 'cancel' },
      { job: 5, on: { index: 2 }, policy: 'run' },
      { job: 6, on: { index: 0 }, policy: 'cancel' },
    ];
    expect(initialFlowStates(7, edges, existing)).toEqual([
      { state: null, cancelledBy: null },
      { state: 'waiting', cancelledBy: null },
      { state: 'cancelled', cancelledBy: { id: '2' } },
      { state: null, cancelledBy: null },
      { state: 'cancelled', cancelledBy: { index: 2 } },
      { state: null, cancelledBy: null },
      { state: 'waiting', cancelledBy: null },
    ]);
  });
});
