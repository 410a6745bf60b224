import type { FinishedGroup } from '@jobs/core';

/** The key of a group: its queue and final state. */
function keyOf(group: Pick<FinishedGroup, 'queue' | 'state'>): string {
  return `${group.queue}\u0000${group.state}`;
}

/** `a[i] + b[i]` for every bucket (both are cumulative counts over the same bounds). */
function addBuckets(a: readonly number[], b: readonly number[]): number[] {
  const length = Math.max(a.length, b.length);
  return Array.from({ length }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

/**
 * Running totals of finished jobs by queue and final state: `add` folds in the groups of one
 * `jobFinishedSummary` (storage has already folded the rows into them), `get` and `list` read.
 */
export class FinishedTotals {
  readonly #groups = new Map<string, FinishedGroup>();

  /** Adds each group to the total of its queue and state. */
  add(groups: readonly FinishedGroup[]): void {
    for (const group of groups) {
      const key = keyOf(group);
      const total = this.#groups.get(key);
      this.#groups.set(
        key,
        total === undefined
          ? group
          : {
              queue: group.queue,
              state: group.state,
              count: total.count + group.count,
              durationSum: total.durationSum + group.durationSum,
              durationBuckets: addBuckets(total.durationBuckets, group.durationBuckets),
              waitSum: total.waitSum + group.waitSum,
              waitBuckets: addBuckets(total.waitBuckets, group.waitBuckets),
            },
      );
    }
  }

  /** The total of one queue and state, if any job of them finished. */
  get(queue: string, state: FinishedGroup['state']): FinishedGroup | undefined {
    return this.#groups.get(keyOf({ queue, state }));
  }

  /** Every total, by queue then state. */
  list(): FinishedGroup[] {
    return [...this.#groups.values()].sort(
      (a, b) => a.queue.localeCompare(b.queue) || a.state.localeCompare(b.state),
    );
  }
}
