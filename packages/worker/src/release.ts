import type { Job, JobStore } from '@jobs/core';
import { type BackoffPolicy, retryWithin } from './backoff.js';
import type { HeldJob } from './held.js';

/**
 * Hands held attempts back to `queued` without counting their attempt, in one `jobRelease` call,
 * retried with backoff for up to `timeoutMs`. Resolves to the jobs the store released; jobs it
 * could not release stay leased until the lease expires and another worker rescues them.
 */
export async function releaseJobs(
  entries: readonly HeldJob[],
  deps: {
    readonly store: JobStore;
    readonly workerId: string;
    readonly timeoutMs: number;
    readonly backoff: BackoffPolicy;
    readonly random: () => number;
    readonly onError: (error: unknown) => void;
  },
): Promise<Job[]> {
  if (entries.length === 0) return [];
  const jobs = entries.map((entry) => ({ id: entry.job.id, attempt: entry.job.attempt }));
  const released = await retryWithin(
    () => deps.store.jobRelease({ workerId: deps.workerId, jobs }),
    deps,
  );
  if (released === undefined) return [];
  const ids = new Set(released);
  return entries.map((entry) => entry.job).filter((job) => ids.has(job.id));
}
