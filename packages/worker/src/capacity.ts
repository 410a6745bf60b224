/** One `jobClaim` call to make: which queues (null = all) and how many jobs at most. */
export interface ClaimRequest {
  readonly queues: readonly string[] | null;
  readonly limit: number;
}

/** What the claim planner looks at. */
export interface CapacityInput {
  /** Jobs this worker may run at once, over all queues. */
  readonly concurrency: number;
  /** Most jobs per claim. */
  readonly batchSize: number;
  /** Jobs running now. */
  readonly running: number;
  /** Jobs running now, per queue. */
  readonly runningByQueue: ReadonlyMap<string, number>;
  /** Queues served (null = all). */
  readonly queues: readonly string[] | null;
  /** Limits of some queues. */
  readonly queueConcurrency: Readonly<Record<string, number>>;
  /** Queues that exist; consulted only when `queues` is null and some queue has a limit. */
  readonly knownQueues: readonly string[];
  /** Turns the order of requests, so that no queue always comes last. */
  readonly rotation: number;
}

/** True when some served queue has its own limit (claims then go queue by queue). */
export function hasQueueLimits(
  queues: readonly string[] | null,
  queueConcurrency: Readonly<Record<string, number>>,
): boolean {
  return Object.keys(queueConcurrency).some((name) => queues === null || queues.includes(name));
}

/**
 * The claims that fill the free slots without passing any limit: one for all queues without a
 * limit of their own, one per limited queue with free slots. Their limits add up to at most the
 * free slots; an empty plan means there is nothing to claim for now.
 */
export function planClaims(input: CapacityInput): ClaimRequest[] {
  let free = input.concurrency - input.running;
  if (free <= 0) return [];
  if (!hasQueueLimits(input.queues, input.queueConcurrency)) {
    return [{ queues: input.queues, limit: Math.min(free, input.batchSize) }];
  }
  const served = input.queues ?? input.knownQueues;
  const limits = input.queueConcurrency;
  const candidates: { queues: string[]; room: number }[] = [];
  const unlimited = served.filter((name) => !Object.hasOwn(limits, name));
  if (unlimited.length > 0) candidates.push({ queues: unlimited, room: free });
  for (const name of served) {
    const limit = Object.hasOwn(limits, name) ? limits[name] : undefined;
    if (limit === undefined) continue;
    const room = limit - (input.runningByQueue.get(name) ?? 0);
    if (room > 0) candidates.push({ queues: [name], room });
  }
  const plan: ClaimRequest[] = [];
  for (let i = 0; i < candidates.length && free > 0; i++) {
    const candidate = candidates[(i + input.rotation) % candidates.length];
    if (candidate === undefined) continue;
    const limit = Math.min(candidate.room, free, input.batchSize);
    plan.push({ queues: candidate.queues, limit });
    free -= limit;
  }
  return plan;
}
