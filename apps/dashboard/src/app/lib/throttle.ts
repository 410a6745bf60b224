/** Timers, injectable so tests control time. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A coalescing trigger: `request()` runs `fn` at most once per `gapMs`, never dropping the last. */
export interface Throttle {
  request(): void;
  cancel(): void;
}

/**
 * Runs `fn` on the first request at once, then at most once every `gapMs`: requests made
 * in between are merged into one run at the end of the gap, so a burst of job events costs
 * one reload, and the last event is never lost.
 */
export function createThrottle(
  fn: () => void,
  gapMs: number,
  timers: Timers = realTimers,
): Throttle {
  let last = Number.NEGATIVE_INFINITY;
  let pending: unknown = null;
  const run = () => {
    pending = null;
    last = timers.now();
    fn();
  };
  return {
    request() {
      if (pending !== null) return;
      const wait = last + gapMs - timers.now();
      if (wait <= 0) run();
      else pending = timers.setTimeout(run, wait);
    },
    cancel() {
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
    },
  };
}
