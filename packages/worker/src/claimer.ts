import type { ClaimedJob } from '@jobs/core';
import { claimRound } from './claim-round.js';
import type { HeldJobs } from './held.js';
import type { Journal } from './journal.js';
import { Loop } from './loop.js';
import type { ResolvedWorkerOptions } from './options.js';

/** What the claim loop needs from the worker. */
export interface ClaimerDeps {
  readonly options: ResolvedWorkerOptions;
  readonly held: HeldJobs;
  readonly journal: Journal;
  /** False while the worker stops or its leases are in doubt: no claim is made. */
  readonly canClaim: () => boolean;
  /** A claimed job was added to the registry's local queue. */
  readonly onClaimed: (job: ClaimedJob) => void;
}

/**
 * The local queue's refill point: a worker with a prefetch claims again once this few jobs wait
 * in it (three quarters of the prefetch), so that the next batch (about a quarter of the
 * prefetch plus the slots) arrives before the queue runs dry: a claim of a few hundred jobs
 * takes several milliseconds on a busy server, in which a fast worker starts hundreds of jobs.
 */
export function refillAt(prefetch: number): number {
  return Math.floor(prefetch * 0.75);
}

/**
 * The claim loop (the producer): claims batches for the free slots and the prefetch room,
 * every poll interval, at once when woken (an insert, a freed slot) and again at once while
 * batches come back full. Claimed jobs go into the held-jobs registry.
 */
export class Claimer {
  readonly #loop: Loop;
  /** The last round suggested more jobs wait than it could take. */
  #mayHaveMore = false;
  #rotation = 0;
  /** Wakes the loop when a rate window of a limited queue frees (see `#waitForRate`). */
  #rateTimer: ReturnType<typeof setTimeout> | null = null;
  /** When (worker clock, ms) the store may next be asked about rate windows. */
  #rateAskAfter = 0;

  constructor(private readonly deps: ClaimerDeps) {
    const { options, journal } = deps;
    this.#loop = new Loop({
      intervalMs: options.pollIntervalMs,
      task: () => this.#round(),
      onError: (error) => journal.report(error, 'claim'),
      backoff: options.storeBackoff,
      random: options.random,
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Stops claiming; resolves once the round under way has ended. */
  stop(): Promise<void> {
    this.#clearRateTimer();
    return this.#loop.stop();
  }

  /** Asks for a round now. */
  wake(): void {
    this.#loop.wake();
  }

  /** A slot freed: claims again when the local queue runs low and more jobs may wait. */
  slotFreed(): void {
    if (this.#mayHaveMore && this.deps.held.queuedCount <= refillAt(this.deps.options.prefetch)) {
      this.#loop.wake();
    }
  }

  async #round(): Promise<boolean> {
    if (!this.deps.canClaim()) return false;
    const o = this.deps.options;
    const { held } = this.deps;
    if (
      o.prefetch > 0 &&
      held.runningCount >= o.concurrency &&
      held.queuedCount > refillAt(o.prefetch)
    ) {
      // Every slot runs and the local queue is above its refill point: a claim now would take
      // only the few jobs started since the last one, and cost a round trip while the queue
      // drains. The freed slot that brings the queue down to the refill point wakes the loop.
      this.#mayHaveMore = true;
      return false;
    }
    const started = performance.now();
    let claimed = 0;
    const round = await claimRound({
      store: o.store,
      workerId: o.workerId,
      leaseMs: o.leaseMs,
      concurrency: o.concurrency,
      prefetch: o.prefetch,
      batchSize: o.batchSize,
      queues: o.queues,
      queueConcurrency: o.queueConcurrency,
      held: this.deps.held,
      rotation: this.#rotation++,
      shouldContinue: this.deps.canClaim,
      onClaimed: (job) => {
        claimed += 1;
        // A job claimed within a limit: limits are in play now, whatever the store said of
        // rate limits before (a limit set since then), so the next short round asks again.
        if (job.limited === true) this.#rateAskAfter = 0;
        this.deps.onClaimed(job);
      },
    });
    this.deps.journal.events.emit('claimRound', {
      claimed,
      durationMs: performance.now() - started,
    });
    this.#mayHaveMore = round.mayHaveMore;
    if (round.short && !round.full) await this.#waitForRate();
    return round.full;
  }

  /**
   * After a round that found fewer jobs than it had room for: asks the store when a rate-limited
   * queue may start a job again and wakes the loop then, if that comes before the next poll.
   * A store that answers "no rate-limited queue" is asked again only after a poll interval, so
   * workers of unlimited queues add at most one small read per poll interval.
   */
  async #waitForRate(): Promise<void> {
    const { store, queues, pollIntervalMs, nowMs } = this.deps.options;
    if (store.queueLimitWait === undefined || nowMs() < this.#rateAskAfter) return;
    const ms = await store.queueLimitWait({ queues });
    if (ms === null) {
      this.#rateAskAfter = nowMs() + pollIntervalMs;
      return;
    }
    if (ms >= pollIntervalMs) return;
    this.#clearRateTimer();
    this.#rateTimer = setTimeout(() => {
      this.#rateTimer = null;
      this.#loop.wake();
    }, ms);
    this.#rateTimer.unref?.();
  }

  #clearRateTimer(): void {
    if (this.#rateTimer !== null) clearTimeout(this.#rateTimer);
    this.#rateTimer = null;
  }
}
