import {
  cutText,
  type FailureOutcome,
  type JobError,
  type JobStore,
  type JsonValue,
  StoreRejectedError,
  toStorableText,
} from '@jobs/core';
import { type BackoffPolicy, backoffDelayMs, retryWithin } from './backoff.js';
import type { HeldJob } from './held.js';

/** A finished attempt waiting to be recorded as completed. */
export interface BufferedCompletion {
  readonly kind: 'complete';
  readonly held: HeldJob;
  readonly result: JsonValue | null;
  readonly durationMs: number;
}

/** A failed attempt waiting to be recorded with its error and next state. */
export interface BufferedFailure {
  readonly kind: 'fail';
  readonly held: HeldJob;
  readonly error: JobError;
  readonly outcome: FailureOutcome;
  readonly durationMs: number;
  /** Set when this failure stands in for an outcome the store refused (see `refusedOutcome`). */
  readonly standIn?: true;
}

/** An attempt's outcome waiting to be recorded. */
export type BufferedOutcome = BufferedCompletion | BufferedFailure;

/** What the buffer needs from the worker. */
export interface OutcomeBufferDeps {
  readonly store: JobStore;
  readonly workerId: string;
  /** Milliseconds an outcome may wait for others to share its write. */
  readonly intervalMs: number;
  /** A monotonic clock in ms (default `performance.now`). */
  readonly nowMs?: () => number;
  /** Most outcomes per store call. */
  readonly maxBatch: number;
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly now: () => Date;
  /** The store recorded it. */
  readonly onRecorded: (item: BufferedOutcome) => void;
  /** The store refused it: the job is no longer this worker's (cancelled, rescued). */
  readonly onRefused: (item: BufferedOutcome) => void;
  /**
   * The store rejected even the stand-in failure of this outcome: it is given up, and the
   * job's lease left to expire (rescue then counts the attempt as lost).
   */
  readonly onGivenUp: (item: BufferedOutcome, error: StoreRejectedError) => void;
  /** A write failed for a passing reason; its outcomes stay buffered and are written again. */
  readonly onStoreError: (error: unknown, pending: number) => void;
  /** A write answered (recorded, refused or failed), after `durationMs`. */
  readonly onWritten?: (outcomes: number, durationMs: number) => void;
}

/** The error name recorded when the store could not hold what an attempt came to. */
export const OUTCOME_NOT_STORABLE = 'OutcomeNotStorableError';

/**
 * Terminology
 * - outcome: what an attempt came to (completed, or failed with its next state).
 * - flush: one write of buffered outcomes: one `jobComplete` and one `jobFail` call, each for
 *   many jobs.
 * - transient failure: the store could not be reached or was busy. Every outcome of the write
 *   stays buffered and is written again after a backoff; none is ever dropped.
 * - rejected write: the store refused what a write carried (StoreRejectedError): the same write
 *   would fail forever. Its outcomes are split in halves and written again at once until the
 *   one it cannot hold stands alone; that one is recorded as a failure of its job saying why
 *   (`OutcomeNotStorableError`), and every other outcome is recorded as it was.
 *
 * - limited outcome: the outcome of a job claimed within a queue's limits (`ClaimedJob.limited`).
 *   Its write frees a slot that other workers may be waiting for, so it is written at once,
 *   together with whatever else waits, instead of after `intervalMs`.
 *
 * - quiet buffer: no write in flight and none ended within the last `intervalMs`. An outcome
 *   arriving then is written at once: a worker with little to do records each job as it ends,
 *   and its write does not land later beside the next job's claim. Once a write ends, outcomes
 *   wait out `intervalMs` from its end to share the next write, so a busy worker writes in
 *   batches as before.
 *
 * Buffers outcomes and flushes them at most `intervalMs` after the first one arrives (at once
 * into a quiet buffer).
 */
export class OutcomeBuffer {
  #items: BufferedOutcome[] = [];
  /** Groups of outcomes under suspicion after a rejected write: each is written on its own. */
  #suspects: BufferedOutcome[][] = [];
  /** The flush to come (a timer, or an immediate when it need not wait). */
  #timer: { readonly cancel: () => void } | null = null;
  /** A limited outcome waits in `#items`: the next write goes at once. */
  #urgent = false;
  #flushing: Promise<void> | null = null;
  #failures = 0;
  /** When the last write ended (`nowMs`); none yet: long ago. */
  #lastWriteEnded = Number.NEGATIVE_INFINITY;
  readonly #nowMs: () => number;

  constructor(private readonly deps: OutcomeBufferDeps) {
    this.#nowMs = deps.nowMs ?? (() => performance.now());
  }

  /** Queues an outcome for the next flush. */
  add(item: BufferedOutcome): void {
    this.#items.push(item);
    if (item.held.job.limited === true && !this.#urgent) {
      this.#urgent = true;
      // A write waiting out the interval goes now; one after a failed write keeps its backoff.
      if (this.#failures === 0) this.#clearTimer();
    }
    this.#schedule();
  }

  /** How many outcomes wait. */
  get size(): number {
    return this.#items.length + this.#suspects.reduce((sum, group) => sum + group.length, 0);
  }

  /**
   * Flushes until nothing waits or `timeoutMs` has passed (retrying failed writes with
   * backoff); resolves to the number of outcomes still waiting.
   */
  async drain(timeoutMs: number): Promise<number> {
    await retryWithin(
      async () => {
        for (;;) {
          this.#clearTimer();
          await (this.#flushing ?? this.#flush());
          if (this.size === 0) return;
          if (this.#failures > 0) throw new Error('a write failed; outcomes wait');
        }
      },
      { timeoutMs, backoff: this.deps.backoff, random: this.deps.random, onError: () => {} },
    );
    return this.size;
  }

  /** Stops the timer; outcomes still waiting stay in the buffer. */
  close(): void {
    this.#clearTimer();
  }

  #clearTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#timer !== null || this.#flushing !== null || this.size === 0) return;
    const wait =
      this.#failures > 0
        ? backoffDelayMs(this.#failures, this.deps.backoff, this.deps.random)
        : this.#urgent || this.#suspects.length > 0 || this.#items.length >= this.deps.maxBatch
          ? 0
          : Math.max(0, this.#lastWriteEnded + this.deps.intervalMs - this.#nowMs());
    const fire = () => {
      this.#timer = null;
      void this.#flush();
    };
    // No wait: after the outcomes of this turn of the event loop (setTimeout would wait 1 ms).
    if (wait <= 0) {
      const immediate = setImmediate(fire);
      this.#timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(fire, wait);
      this.#timer = { cancel: () => clearTimeout(timeout) };
    }
  }

  #flush(): Promise<void> {
    if (this.#flushing !== null) return this.#flushing;
    const flushing = this.#write().finally(() => {
      this.#flushing = null;
      this.#lastWriteEnded = this.#nowMs();
      this.#schedule();
    });
    this.#flushing = flushing;
    return flushing;
  }

  async #write(): Promise<void> {
    const suspect = this.#suspects.shift();
    const batch = suspect ?? this.#items.splice(0, this.deps.maxBatch);
    if (this.#items.length === 0) this.#urgent = false;
    if (batch.length === 0) return;
    const completions = batch.filter((item) => item.kind === 'complete');
    const failures = batch.filter((item) => item.kind === 'fail');
    const started = performance.now();
    const [completed, failed] = await Promise.allSettled([
      this.#complete(completions),
      this.#fail(failures),
    ]);
    this.deps.onWritten?.(batch.length, performance.now() - started);
    const retry: BufferedOutcome[] = [];
    let lastError: unknown;
    for (const [items, settled] of [
      [completions, completed],
      [failures, failed],
    ] as const) {
      if (settled.status === 'fulfilled') {
        // The store answers with ids of the given outcomes: as many as given means all of them.
        const recorded = settled.value.length === items.length ? null : new Set(settled.value);
        for (const item of items) {
          if (recorded === null || recorded.has(item.held.job.id)) this.deps.onRecorded(item);
          else this.deps.onRefused(item);
        }
      } else if (settled.reason instanceof StoreRejectedError) {
        this.#isolate(items, settled.reason);
      } else {
        retry.push(...items);
        lastError = settled.reason;
      }
    }
    if (retry.length === 0) {
      this.#failures = 0;
      return;
    }
    if (suspect === undefined) this.#items.unshift(...retry);
    else this.#suspects.unshift(retry);
    this.#failures += 1;
    this.deps.onStoreError(lastError, this.size);
  }

  #complete(items: readonly BufferedCompletion[]): Promise<string[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.deps.store.jobComplete({
      workerId: this.deps.workerId,
      jobs: items.map(({ held, result }) => ({
        id: held.job.id,
        attempt: held.job.attempt,
        result,
      })),
    });
  }

  #fail(items: readonly BufferedFailure[]): Promise<string[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.deps.store.jobFail({
      workerId: this.deps.workerId,
      jobs: items.map(({ held, error, outcome }) => ({
        id: held.job.id,
        attempt: held.job.attempt,
        error,
        outcome,
      })),
    });
  }

  /** After a rejected write: halves to write again at once, or the one outcome at fault. */
  #isolate(items: readonly BufferedOutcome[], error: StoreRejectedError): void {
    if (items.length > 1) {
      const half = Math.ceil(items.length / 2);
      this.#suspects.unshift(items.slice(0, half), items.slice(half));
      return;
    }
    const [item] = items;
    if (item === undefined) return;
    if (item.kind === 'fail' && item.standIn === true) {
      this.deps.onGivenUp(item, error);
      return;
    }
    this.#suspects.unshift([refusedOutcome(item, error, this.deps.now(), this.deps.workerId)]);
  }
}

/**
 * The failure recorded in place of an outcome the store refused to hold: a completion becomes
 * a permanent failure (its handler ran; running it again would repeat its effects), a failure
 * keeps its next state with an error that says what was refused.
 */
export function refusedOutcome(
  item: BufferedOutcome,
  rejection: StoreRejectedError,
  at: Date,
  workerId: string,
): BufferedFailure {
  const what = item.kind === 'complete' ? 'result' : 'error';
  const error: JobError = {
    attempt: item.held.job.attempt,
    name: OUTCOME_NOT_STORABLE,
    message: cutText(
      toStorableText(`the attempt's ${what} could not be stored: ${rejection.message}`),
      1_000,
    ),
    at: at.toISOString(),
    workerId,
  };
  return {
    kind: 'fail',
    held: item.held,
    error,
    outcome: item.kind === 'complete' ? { state: 'failed' } : item.outcome,
    durationMs: item.durationMs,
    standIn: true,
  };
}
