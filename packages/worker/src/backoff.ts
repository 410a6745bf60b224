/** How long to wait after consecutive store failures: doubling from `baseMs`, capped at `maxMs`. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Waits used unless told otherwise: 100 ms, 200 ms, ... up to 10 s. */
export const DEFAULT_STORE_BACKOFF: BackoffPolicy = Object.freeze({ baseMs: 100, maxMs: 10_000 });

/**
 * Milliseconds to wait after `failures` (1 or more) consecutive failures: `baseMs * 2^(n-1)`
 * capped at `maxMs`, then between half and all of that, chosen by `random` in [0, 1).
 */
export function backoffDelayMs(
  failures: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const steps = Math.max(0, Math.min(30, failures - 1));
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** steps);
  return Math.round(full * (0.5 + Math.min(1, Math.max(0, random())) / 2));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How `retryWithin` retries. */
export interface RetryWithinOptions {
  /** Gives up once the next wait would end later than this many ms after the start. */
  readonly timeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  /** Told of every failure. */
  readonly onError: (error: unknown) => void;
}

/**
 * Calls `attempt` until it resolves, waiting a backoff after each failure; resolves to its
 * value, or to undefined once waiting again would pass the time allowed.
 */
export async function retryWithin<T>(
  attempt: () => Promise<T>,
  options: RetryWithinOptions,
): Promise<T | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  for (let failures = 1; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      options.onError(error);
      const wait = backoffDelayMs(failures, options.backoff, options.random);
      if (Date.now() + wait > deadline) return undefined;
      await sleep(wait);
    }
  }
}
