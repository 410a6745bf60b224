import type { AttemptRef, JobStore } from '@jobs/core';
import { attemptKey } from './held.js';

/** What the heartbeat needs from the worker. */
export interface HeartbeatDeps {
  readonly store: JobStore;
  readonly workerId: string;
  readonly leaseMs: number;
  /** Every attempt whose lease this worker must keep (the held-jobs registry, every phase). */
  readonly held: () => AttemptRef[];
  /** The store no longer lists these attempts as ours (cancelled, or rescued by another worker). */
  readonly onLost: (lost: readonly AttemptRef[]) => void;
}

/**
 * One heartbeat: renews every held attempt's lease in one `leaseRenew` call and reports the
 * attempts the store did not renew. Throws when the store fails (the worker then stops claiming
 * until one succeeds).
 */
export async function renewHeldLeases(deps: HeartbeatDeps): Promise<void> {
  const jobs = deps.held();
  if (jobs.length === 0) return;
  const kept = new Set(
    (await deps.store.leaseRenew({ workerId: deps.workerId, jobs, leaseMs: deps.leaseMs })).map(
      attemptKey,
    ),
  );
  const lost = jobs.filter((ref) => !kept.has(attemptKey(ref)));
  if (lost.length > 0) deps.onLost(lost);
}
