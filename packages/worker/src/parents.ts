import type { DependencyResult, Job, JobStore } from '@jobs/core';

/**
 * The dependencies of `job` with their results, read when a handler asks (`parents()`); none
 * from a store that holds no dependencies.
 */
export async function dependencyResults(
  store: JobStore,
  job: Job,
): Promise<readonly DependencyResult[]> {
  if (store.dependencyList === undefined) return [];
  return store.dependencyList({ id: job.id });
}
