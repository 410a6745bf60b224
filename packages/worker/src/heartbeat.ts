import type { JobStore } from '@jobs/core';

/** What the heartbeat needs from the worker. */
export interface HeartbeatDeps {
  readonly store: JobStore;
  readonly workerId: string;
  readonly leaseMs: number;
  /** Every job whose lease this worker must keep: running ones and unrecorded outcomes. */
  readonly heldIds: () => string[];
  /** The store no longer lists these as ours (cancelled, or rescued by another worker). */
  readonly onLost: (ids: readonly string[]) => void;
}

/**
 * One heartbeat: renews every held lease in one `leaseRenew` call and reports the ids the store
 * did not renew. Throws when the store fails (the worker then stops claiming until one succeeds).
 */
export async function renewHeldLeases(deps: HeartbeatDeps): Promise<void> {
  const ids = [...new Set(deps.heldIds())];
  if (ids.length === 0) return;
  const kept = new Set(
    await deps.store.leaseRenew({ workerId: deps.workerId, ids, leaseMs: deps.leaseMs }),
  );
  const lost = ids.filter((id) => !kept.has(id));
  if (lost.length > 0) deps.onLost(lost);
}
