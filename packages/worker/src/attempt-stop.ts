/**
 * Stops one attempt from outside (cancel, timeout, lost lease, shutdown). The worker waits on
 * it through one direct listener; the handler sees an AbortSignal, made only when something
 * asks for it: most handlers never do, and an AbortController per job is a measurable share
 * of a no-op job's cost.
 */
export class AttemptStop {
  #stopped = false;
  #reason: unknown = undefined;
  #controller: AbortController | null = null;
  #listener: ((reason: unknown) => void) | null = null;

  /** True once `stop` was called. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** What `stop` was called with (undefined before). */
  get reason(): unknown {
    return this.#reason;
  }

  /** The handler's signal: aborted, with the same reason, when the attempt is stopped. */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Stops the attempt; later calls change nothing. */
  stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#reason = reason;
    // The handler's signal first: what its abort listeners report (a last log line, progress)
    // reaches the attempt before the worker's listener hands the attempt's end on.
    this.#controller?.abort(reason);
    const listener = this.#listener;
    this.#listener = null;
    listener?.(reason);
  }

  /**
   * Calls `listener` once when the attempt is stopped (at once if it already is). One listener
   * at a time; the returned function removes it.
   */
  onStop(listener: (reason: unknown) => void): () => void {
    if (this.#stopped) {
      listener(this.#reason);
      return () => {};
    }
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = null;
    };
  }
}
