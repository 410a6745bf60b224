import { type BackoffPolicy, backoffDelayMs } from './backoff.js';

/** How a Loop runs its task. */
export interface LoopOptions {
  /** Milliseconds between runs when nothing wakes it. */
  readonly intervalMs: number;
  /** Wait one interval before the first run (default: run at once). */
  readonly delayFirst?: boolean;
  /** One run; resolves true to run again at once (more work is likely waiting). */
  readonly task: () => Promise<boolean>;
  /** Called when a run throws; the loop then waits a backoff instead of the interval. */
  readonly onError: (error: unknown, consecutiveFailures: number) => void;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
}

/**
 * Runs a task over and over: every `intervalMs`, at once when woken or when the task asks,
 * and after a growing backoff while it fails (wakes do not cut a backoff short). Never throws.
 */
export class Loop {
  #stopped = false;
  #wakeRequested = false;
  #sleeping: { readonly backoff: boolean; readonly wake: () => void } | null = null;
  #done: Promise<void> | null = null;

  constructor(private readonly options: LoopOptions) {}

  /** Starts the loop (once). */
  start(): void {
    this.#done ??= this.#run();
  }

  /** Asks for a run as soon as the current one ends, or now when idle. */
  wake(): void {
    this.#wakeRequested = true;
    if (this.#sleeping !== null && !this.#sleeping.backoff) this.#sleeping.wake();
  }

  /** Stops the loop; resolves once the run under way (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#sleeping?.wake();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { task, onError, intervalMs, backoff, random } = this.options;
    if (this.options.delayFirst === true) await this.#sleep(intervalMs, false);
    let failures = 0;
    while (!this.#stopped) {
      this.#wakeRequested = false;
      let again = false;
      try {
        again = await task();
        failures = 0;
      } catch (error) {
        failures += 1;
        try {
          onError(error, failures);
        } catch {
          // Reporting must not stop the loop.
        }
      }
      if (this.#stopped) break;
      if (failures === 0 && (again || this.#wakeRequested)) continue;
      const wait = failures > 0 ? backoffDelayMs(failures, backoff, random) : intervalMs;
      await this.#sleep(wait, failures > 0);
    }
  }

  #sleep(ms: number, isBackoff: boolean): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (!isBackoff && this.#wakeRequested) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#sleeping = {
        backoff: isBackoff,
        wake: () => {
          this.#sleeping = null;
          done();
        },
      };
    }).finally(() => {
      this.#sleeping = null;
    });
  }
}
