import type { Job, JobStore } from '@jobs/core';
import { type BackoffPolicy, backoffDelayMs, sleep } from './backoff.js';
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
  const deadline = Date.now() + deps.timeoutMs;
  const jobs = entries.map((entry) => ({ id: entry.job.id, attempt: entry.job.attempt }));
  for (let failures = 1; ; failures++) {
    try {
      const released = new Set(await deps.store.jobRelease({ workerId: deps.workerId, jobs }));
      return entries.map((entry) => entry.job).filter((job) => released.has(job.id));
    } catch (error) {
      deps.onError(error);
      const wait = backoffDelayMs(failures, deps.backoff, deps.random);
      if (Date.now() + wait > deadline) return [];
      await sleep(wait);
    }
  }
}
