import type { Completer } from './completer.js';
import { JobCancelledError, WorkerStoppingError } from './errors.js';
import { type AttemptDeps, type AttemptResult, runAttempt } from './execute.js';
import type { HeldJob, HeldJobs } from './held.js';
import type { Journal } from './journal.js';
import type { ProgressBuffer } from './progress.js';
import { endAttemptSpan, inAttemptSpan, startAttemptSpan } from './tracing.js';

/** What the executor needs from the worker. */
export interface ExecutorDeps {
  readonly held: HeldJobs;
  /** Attempts run at once. */
  readonly concurrency: number;
  /** This worker's id (on each attempt's span). */
  readonly workerId: string;
  readonly nowMs: () => number;
  readonly attempt: AttemptDeps;
  readonly progress: ProgressBuffer;
  readonly completer: Completer;
  readonly journal: Journal;
  /** False once the worker stops: no new attempt starts. */
  readonly accepting: () => boolean;
  /** A slot freed (an attempt ended). */
  readonly onSlotFreed: () => void;
}

/**
 * Runs held attempts: starts the oldest of the local queue while a slot is free, runs each
 * through `runAttempt`, and hands what it came to on: an outcome to the completer, a stopped
 * attempt back to the registry (forgotten when cancelled or lost, kept for release when the
 * worker stops).
 */
export class Executor {
  /** Attempts whose handler runs or whose outcome is being handed on. */
  #attempting = 0;
  /** Called when `#attempting` drops to zero. */
  #onSettled: (() => void)[] = [];

  constructor(private readonly deps: ExecutorDeps) {}

  /** Starts attempts from the local queue while slots are free. */
  fill(): void {
    const { held, concurrency, nowMs } = this.deps;
    while (this.deps.accepting() && held.runningCount < concurrency) {
      const entry = held.startNext(nowMs());
      if (entry === undefined) return;
      this.#begin(entry);
    }
  }

  /** Stops every running attempt with `reason`. */
  stopAll(reason: unknown): void {
    for (const entry of this.deps.held.inPhase('running')) entry.stop.stop(reason);
  }

  /** Waits until no attempt is under way, or `ms` has passed. */
  settled(ms: number): Promise<void> {
    if (this.#attempting === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#onSettled.push(done);
    });
  }

  #begin(entry: HeldJob): void {
    const { job } = entry;
    this.deps.journal.job(job, 'running', job.attempt);
    this.deps.journal.events.emit('started', { job });
    this.#attempting += 1;
    void this.#run(entry);
  }

  /** Runs an attempt and hands its outcome on; never rejects. */
  async #run(entry: HeldJob): Promise<void> {
    const { job } = entry;
    const { progress } = this.deps;
    const span = startAttemptSpan(job, this.deps.workerId);
    try {
      const result: AttemptResult = await inAttemptSpan(span, () =>
        runAttempt(job, entry.stop, this.deps.attempt, progress.reporter(job, entry.key)),
      );
      if (result.kind === 'aborted') {
        endAttemptSpan(span, result, null);
        this.#aborted(entry, result.reason);
      } else {
        // Progress or log lines the handler left are stored before its outcome.
        if (progress.has(entry.key)) await progress.finish(entry.key);
        endAttemptSpan(span, result, this.deps.completer.finished(entry, result));
      }
    } catch (error) {
      span.span.end();
      this.deps.journal.logger.error('unexpected error while finishing an attempt', {
        jobId: job.id,
        error,
      });
      if (entry.phase === 'running') this.deps.held.forget(entry);
    } finally {
      progress.drop(entry.key);
      this.#attempting -= 1;
      if (this.#attempting === 0) for (const done of this.#onSettled.splice(0)) done();
      this.fill();
      this.deps.onSlotFreed();
    }
  }

  #aborted(entry: HeldJob, reason: unknown): void {
    const { job } = entry;
    const { held, journal } = this.deps;
    if (reason instanceof WorkerStoppingError) {
      held.settle(entry, 'releasing');
      return;
    }
    held.forget(entry);
    const cause = reason instanceof JobCancelledError ? 'cancelled' : 'lease-lost';
    journal.job(job, cause, job.attempt, Math.max(0, this.deps.nowMs() - entry.startedAt));
    journal.events.emit('cancelled', { job, reason: cause });
  }
}
