import type { FailureOutcome, Job, JobError, JobStore, JsonValue } from '@jobs/core';
import { type BackoffPolicy, backoffDelayMs, sleep } from './backoff.js';

/** A finished attempt waiting to be recorded as completed. */
export interface BufferedCompletion {
  readonly kind: 'complete';
  readonly job: Job;
  readonly result: JsonValue | null;
  readonly durationMs: number;
}

/** A failed attempt waiting to be recorded with its error and next state. */
export interface BufferedFailure {
  readonly kind: 'fail';
  readonly job: Job;
  readonly error: JobError;
  readonly outcome: FailureOutcome;
  readonly durationMs: number;
}

/** An attempt's outcome waiting to be recorded. */
export type BufferedOutcome = BufferedCompletion | BufferedFailure;

/** What the buffer needs from the worker. */
export interface OutcomeBufferDeps {
  readonly store: JobStore;
  readonly workerId: string;
  /** Milliseconds an outcome may wait for others to share its write. */
  readonly intervalMs: number;
  /** Most outcomes per store call. */
  readonly maxBatch: number;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  /** The store recorded it. */
  readonly onRecorded: (item: BufferedOutcome) => void;
  /** The store refused it: the job is no longer this worker's (cancelled, rescued). */
  readonly onRefused: (item: BufferedOutcome) => void;
  /** A write failed; the outcomes stay buffered and are written again after a backoff. */
  readonly onStoreError: (error: unknown, pending: number) => void;
}

/**
 * Terminology
 * - outcome: what an attempt came to (completed, or failed with its next state).
 * - flush: one write of buffered outcomes: one `jobComplete` and one `jobFail` call, each for
 *   many jobs. A flush that fails keeps every outcome buffered; none is ever dropped.
 *
 * Buffers outcomes and flushes them at most `intervalMs` after the first one arrives.
 */
export class OutcomeBuffer {
  #items: BufferedOutcome[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #failures = 0;

  constructor(private readonly deps: OutcomeBufferDeps) {}

  /** Queues an outcome for the next flush. */
  add(item: BufferedOutcome): void {
    this.#items.push(item);
    this.#schedule();
  }

  /** How many outcomes wait. */
  get size(): number {
    return this.#items.length;
  }

  /** Ids of the jobs whose outcomes wait (their leases must still be renewed). */
  pendingIds(): string[] {
    return this.#items.map((item) => item.job.id);
  }

  /**
   * Flushes until nothing waits or `timeoutMs` has passed (retrying failed writes with
   * backoff); resolves to the number of outcomes still waiting.
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#clearTimer();
      await (this.#flushing ?? this.#flush());
      if (this.#items.length === 0) return 0;
      if (this.#failures === 0) continue;
      const wait = backoffDelayMs(this.#failures, this.deps.backoff, this.deps.random);
      if (Date.now() + wait > deadline) return this.#items.length;
      await sleep(wait);
    }
  }

  /** Stops the timer; outcomes still waiting stay in the buffer. */
  close(): void {
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer !== null || this.#flushing !== null || this.#items.length === 0) return;
    const wait =
      this.#failures === 0
        ? this.#items.length >= this.deps.maxBatch
          ? 0
          : this.deps.intervalMs
        : backoffDelayMs(this.#failures, this.deps.backoff, this.deps.random);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#flush();
    }, wait);
  }

  #flush(): Promise<void> {
    if (this.#flushing !== null) return this.#flushing;
    const flushing = this.#write().finally(() => {
      this.#flushing = null;
      this.#schedule();
    });
    this.#flushing = flushing;
    return flushing;
  }

  async #write(): Promise<void> {
    const batch = this.#items.splice(0, this.deps.maxBatch);
    if (batch.length === 0) return;
    const completions = batch.filter(
      (item): item is BufferedCompletion => item.kind === 'complete',
    );
    const failures = batch.filter((item): item is BufferedFailure => item.kind === 'fail');
    const { store, workerId } = this.deps;
    const [completed, failed] = await Promise.allSettled([
      completions.length === 0
        ? Promise.resolve([])
        : store.jobComplete({
            workerId,
            jobs: completions.map(({ job, result }) => ({
              id: job.id,
              attempt: job.attempt,
              result,
            })),
          }),
      failures.length === 0
        ? Promise.resolve([])
        : store.jobFail({
            workerId,
            jobs: failures.map(({ job, error, outcome }) => ({
              id: job.id,
              attempt: job.attempt,
              error,
              outcome,
            })),
          }),
    ]);
    const retry: BufferedOutcome[] = [];
    let lastError: unknown;
    for (const [items, settled] of [
      [completions, completed],
      [failures, failed],
    ] as const) {
      if (settled.status === 'rejected') {
        retry.push(...items);
        lastError = settled.reason;
        continue;
      }
      const recorded = new Set(settled.value);
      for (const item of items) {
        if (recorded.has(item.job.id)) this.deps.onRecorded(item);
        else this.deps.onRefused(item);
      }
    }
    if (retry.length === 0) {
      this.#failures = 0;
      return;
    }
    this.#items.unshift(...retry);
    this.#failures += 1;
    this.deps.onStoreError(lastError, this.#items.length);
  }
}
