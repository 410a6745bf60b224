import type { JobStore, StoreEvent } from '@jobs/core';
import type { BackoffPolicy } from './backoff.js';
import { Loop } from './loop.js';

/**
 * Keeps one `eventListen` subscription open: tries at once, and again with backoff while the
 * store fails. (Once open, the adapter itself re-listens after reconnects.)
 */
export class Subscription {
  #unlisten: (() => Promise<void>) | null = null;
  #closed = false;
  readonly #loop: Loop;
  readonly #firstTry: Promise<void>;
  #firstTryDone: () => void = () => {};

  constructor(
    private readonly deps: {
      readonly store: JobStore;
      readonly listener: (event: StoreEvent) => void;
      readonly backoff: BackoffPolicy;
      readonly random: () => number;
      readonly intervalMs: number;
      readonly onError: (error: unknown) => void;
    },
  ) {
    this.#loop = new Loop({
      intervalMs: deps.intervalMs,
      task: () =>
        this.#open()
          .finally(() => this.#firstTryDone())
          .then(() => false),
      onError: deps.onError,
      backoff: deps.backoff,
      random: deps.random,
    });
    this.#firstTry = new Promise((resolve) => {
      this.#firstTryDone = resolve;
    });
  }

  /** Starts trying to listen; resolves after the first try, whether it worked or not. */
  open(): Promise<void> {
    this.#loop.start();
    return this.#firstTry;
  }

  /** True while the subscription is open. */
  get listening(): boolean {
    return this.#unlisten !== null;
  }

  /** Stops trying and stops listening; errors while unlistening go to `onError`. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#loop.stop();
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    if (unlisten === null) return;
    try {
      await unlisten();
    } catch (error) {
      this.deps.onError(error);
    }
  }

  async #open(): Promise<void> {
    if (this.#unlisten !== null || this.#closed) return;
    const unlisten = await this.deps.store.eventListen(this.deps.listener);
    if (this.#closed) await unlisten();
    else this.#unlisten = unlisten;
  }
}
