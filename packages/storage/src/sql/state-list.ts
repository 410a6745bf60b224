import type { JobState } from '@jobs/core';

/**
 * States written into a statement as an SQL list (`'queued', 'retrying'`), for a condition the
 * planner must see as constants (a partial index's predicate, a fixed transition). Only core's
 * state names go in, never user text.
 */
export function sqlList(states: readonly JobState[]): string {
  return states.map((s) => `'${s}'`).join(', ');
}

/** Every state but the final ones, in core's order: the states that hold a unique key. */
export { UNFINISHED_STATES } from '@jobs/core';
