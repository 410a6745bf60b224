import type { Completer } from './completer.js';
import { JobCancelledError, WorkerStoppingError } from './errors.js';
import { type AttemptDeps, type AttemptResult, runAttempt } from './execute.js';
import type { HeldJob, HeldJobs } from './held.js';
import type { Journal } from './journal.js';
import type { ProgressBuffer } from './progress.js';
import { type AttemptSpan, endAttemptSpan, inAttemptSpan, startAttemptSpan } from './tracing.js';

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

  /** Attempts marked started whose handlers the next pass calls, oldest first. */
  #ready: HeldJob[] = [];
  /** A pass is scheduled (see `fill`). */
  #scheduled = false;

  /**
   * Starts attempts from the local queue while slots are free: each is marked started at once
   * (so a claim planned now counts its slot, and its queue's), and its handler is called by a
   * pass on the next turn of the event loop, together with the others marked meanwhile. A slot
   * freed by a handler that returned at once is marked again at once, and its handler called by
   * the next pass. Between passes the event loop turns: the worker reads what the database
   * answered, sends what waits (the next claim) and renews its leases, so that a local queue of
   * handlers that block for a while does not hold everything else back until the last has run.
   */
  fill(): void {
    const { held, concurrency, nowMs } = this.deps;
    while (this.deps.accepting() && held.runningCount < concurrency) {
      const entry = held.startNext(nowMs());
      if (entry === undefined) break;
      this.#begin(entry);
      this.#ready.push(entry);
    }
    if (this.#ready.length === 0 || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const batch = this.#ready;
      this.#ready = [];
      for (const entry of batch) this.#run(entry);
    });
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
  }

  /** Runs an attempt and hands its outcome on; never throws. */
  #run(entry: HeldJob): void {
    const { job } = entry;
    let span: AttemptSpan | undefined;
    // Set once the result is handed on: from then on, that path frees the slot.
    let ended = false;
    try {
      const attempt = startAttemptSpan(job, this.deps.workerId);
      span = attempt;
      runAttempt(
        job,
        entry.stop,
        this.deps.attempt,
        this.deps.progress.reporter(job, entry.key),
        (call) => inAttemptSpan(attempt, call),
        (result) => {
          ended = true;
          this.#ended(entry, attempt, result);
        },
      );
    } catch (error) {
      if (!ended) this.#unexpected(entry, span, error);
      else {
        try {
          this.deps.journal.logger.error('unexpected error after an attempt', {
            jobId: job.id,
            error,
          });
        } catch {
          // A logger that throws must not stop the pass.
        }
      }
    }
  }

  /** What an attempt came to: an outcome for the completer, or a stop. */
  #ended(entry: HeldJob, span: AttemptSpan, result: AttemptResult): void {
    if (result.kind !== 'aborted' && this.deps.progress.has(entry.key)) {
      // Progress or log lines the handler left are stored before its outcome.
      this.deps.progress.finish(entry.key).then(
        () => this.#handOn(entry, span, result),
        (error: unknown) => this.#unexpected(entry, span, error),
      );
    } else this.#handOn(entry, span, result);
  }

  /** Hands the attempt's end on (an outcome to the completer, or a stop), then frees its slot. */
  #handOn(entry: HeldJob, span: AttemptSpan, result: AttemptResult): void {
    try {
      if (result.kind === 'aborted') {
        endAttemptSpan(span, result, null);
        this.#aborted(entry, result.reason);
      } else endAttemptSpan(span, result, this.deps.completer.finished(entry, result));
    } catch (error) {
      this.#unexpected(entry, span, error);
      return;
    }
    this.#freed(entry);
  }

  /** Something that should not throw did: the attempt is logged and its slot freed. */
  #unexpected(entry: HeldJob, span: AttemptSpan | undefined, error: unknown): void {
    try {
      span?.span.end();
      this.deps.journal.logger.error('unexpected error while finishing an attempt', {
        jobId: entry.job.id,
        error,
      });
    } catch {
      // A logger that throws must not keep the slot.
    }
    if (entry.phase === 'running') this.deps.held.forget(entry);
    this.#freed(entry);
  }

  /** The attempt is over: its slot goes to the next queued attempt. */
  #freed(entry: HeldJob): void {
    this.deps.progress.drop(entry.key);
    this.#attempting -= 1;
    if (this.#attempting === 0) for (const done of this.#onSettled.splice(0)) done();
    this.fill();
    this.deps.onSlotFreed();
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
