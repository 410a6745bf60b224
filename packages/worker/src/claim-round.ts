import type { ClaimedJob, JobStore } from '@jobs/core';
import { hasQueueLimits, planClaims } from './capacity.js';
import type { HeldJobs } from './held.js';

/** What a claim round needs. */
export interface ClaimRoundDeps {
  readonly store: JobStore;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly concurrency: number;
  /** Extra jobs this worker may hold in its local queue (see WorkerOptions.prefetch). */
  readonly prefetch: number;
  readonly batchSize: number;
  readonly queues: readonly string[] | null;
  readonly queueConcurrency: Readonly<Record<string, number>>;
  /** What this worker holds: its running and locally queued attempts take slots. */
  readonly held: HeldJobs;
  readonly rotation: number;
  /** False once the worker stops: no further claim is made. */
  readonly shouldContinue: () => boolean;
  /** Holds a claimed job (synchronously: it counts as held at once). */
  readonly onClaimed: (job: ClaimedJob) => void;
}

/** What a round found. */
export interface ClaimRoundResult {
  /** Some claim came back full: run another round at once. */
  readonly full: boolean;
  /** Jobs may wait beyond what this round could take (a full batch, or no free slot). */
  readonly mayHaveMore: boolean;
  /** Some claim came back with fewer jobs than asked (none waiting, or a limit held them). */
  readonly short: boolean;
}

/**
 * One claim round: plans claims for the free slots (see `planClaims`) and makes them, one
 * `jobClaim` call per batch, starting each claimed job at once. With per-queue limits and all
 * queues served, the queue names come from `queueList` (paused queues left out).
 */
export async function claimRound(deps: ClaimRoundDeps): Promise<ClaimRoundResult> {
  const { store, held, queues, queueConcurrency } = deps;
  const knownQueues =
    queues === null && hasQueueLimits(queues, queueConcurrency)
      ? (await store.queueList()).filter((q) => !q.paused).map((q) => q.name)
      : [];
  const plan = planClaims({
    concurrency: deps.concurrency + deps.prefetch,
    batchSize: deps.batchSize,
    running: held.runningCount + held.queuedCount,
    runningByQueue: held.runningByQueue,
    queues,
    queueConcurrency,
    knownQueues,
    rotation: deps.rotation,
  });
  let full = false;
  let short = false;
  for (const request of plan) {
    if (!deps.shouldContinue()) break;
    const jobs = await store.jobClaim({
      workerId: deps.workerId,
      queues: request.queues,
      limit: request.limit,
      leaseMs: deps.leaseMs,
      // Jobs of limited queues start at once or are not claimed: never into the local queue.
      startLimit: freeRunSlots(deps),
    });
    for (const job of jobs) deps.onClaimed(job);
    if (jobs.length >= request.limit) full = true;
    else short = true;
  }
  return { full, short, mayHaveMore: full || atALimit(deps) };
}

/** Run slots no held job will take: what this worker may start now. */
function freeRunSlots(deps: ClaimRoundDeps): number {
  const { held } = deps;
  return Math.max(0, deps.concurrency - held.runningCount - held.queuedCount);
}

function atALimit(deps: ClaimRoundDeps): boolean {
  const { held } = deps;
  if (held.runningCount + held.queuedCount >= deps.concurrency + deps.prefetch) return true;
  return Object.entries(deps.queueConcurrency).some(
    ([name, limit]) => (held.runningByQueue.get(name) ?? 0) >= limit,
  );
}
