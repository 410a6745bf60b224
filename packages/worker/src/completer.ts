import type { JobStore } from '@jobs/core';
import { type FailureOutcome, failureOutcome } from '@jobs/core';
import type { BackoffPolicy } from './backoff.js';
import { toJobError } from './error-entry.js';
import type { AttemptResult } from './execute.js';
import type { HeldJob, HeldJobs } from './held.js';
import type { Journal } from './journal.js';
import { type BufferedOutcome, OutcomeBuffer } from './outcome-buffer.js';
import { toJsonResult } from './result.js';

/** What the completer needs from the worker. */
export interface CompleterDeps {
  readonly store: JobStore;
  readonly workerId: string;
  readonly held: HeldJobs;
  readonly journal: Journal;
  readonly now: () => Date;
  readonly nowMs: () => number;
  readonly random: () => number;
  readonly backoff: BackoffPolicy;
  /** Longest an outcome waits to share a write, in ms. */
  readonly flushIntervalMs: number;
  /** Most outcomes per write. */
  readonly flushBatchSize: number;
}

/**
 * Turns what attempts came to into outcomes (a storable result, or an error with the next
 * state core decides), writes them in batches through the outcome buffer, and when the store
 * has answered, tells the logs and events and lets the registry forget the attempt.
 */
export class Completer {
  readonly #outcomes: OutcomeBuffer;

  constructor(private readonly deps: CompleterDeps) {
    const { journal, held } = deps;
    this.#outcomes = new OutcomeBuffer({
      store: deps.store,
      workerId: deps.workerId,
      intervalMs: deps.flushIntervalMs,
      nowMs: deps.nowMs,
      maxBatch: deps.flushBatchSize,
      backoff: deps.backoff,
      random: deps.random,
      now: deps.now,
      onRecorded: (item) => {
        held.forget(item.held);
        this.#recorded(item);
      },
      onRefused: (item) => {
        held.forget(item.held);
        journal.logger.warn('outcome not recorded: the job is no longer leased to this worker', {
          jobId: item.held.job.id,
          attempt: item.held.job.attempt,
          outcome: item.kind,
        });
      },
      onGivenUp: (item, error) => {
        held.forget(item.held);
        journal.logger.error(
          'outcome not recorded: the store refused it and its stand-in; the lease will expire',
          { jobId: item.held.job.id, attempt: item.held.job.attempt, error },
        );
      },
      onStoreError: (error, pending) => journal.report(error, 'flush', { pending }),
      onWritten: (outcomes, durationMs) => journal.events.emit('flushed', { outcomes, durationMs }),
    });
  }

  /**
   * Takes the outcome of a finished attempt; the attempt stays held until it is recorded.
   * Returns what a failure leads to (null for a completion).
   */
  finished(
    entry: HeldJob,
    result: Exclude<AttemptResult, { kind: 'aborted' }>,
  ): FailureOutcome | null {
    const { job } = entry;
    const { held, journal, now, random, workerId } = this.deps;
    const durationMs = Math.max(0, this.deps.nowMs() - entry.startedAt);
    held.settle(entry, 'recording');
    if (result.kind === 'completed') {
      this.#outcomes.add({
        kind: 'complete',
        held: entry,
        result: toJsonResult(result.value),
        durationMs,
      });
      return null;
    }
    const error = toJobError(result.error, job.attempt, now(), workerId);
    let outcome: FailureOutcome;
    try {
      outcome = failureOutcome(job, {
        permanent: result.permanent,
        backoff: job.backoff,
        random: random(),
      });
    } catch {
      outcome = { state: 'failed' };
    }
    journal.error(job, error, outcome.state);
    this.#outcomes.add({ kind: 'fail', held: entry, error, outcome, durationMs });
    return outcome;
  }

  /** Writes until nothing waits or `timeoutMs` passed; resolves to the outcomes left. */
  drain(timeoutMs: number): Promise<number> {
    return this.#outcomes.drain(timeoutMs);
  }

  /** Stops the write timer. */
  close(): void {
    this.#outcomes.close();
  }

  #recorded(item: BufferedOutcome): void {
    const { journal } = this.deps;
    const { job } = item.held;
    const { durationMs } = item;
    if (item.kind === 'complete') {
      journal.job(job, 'completed', job.attempt, durationMs);
      journal.events.emit('completed', { job, result: item.result, durationMs });
      return;
    }
    const { error, outcome } = item;
    if (item.standIn === true) journal.error(job, error, outcome.state);
    journal.job(job, outcome.state, job.attempt, durationMs);
    if (outcome.state === 'retrying') {
      journal.events.emit('retrying', { job, error, delayMs: outcome.delayMs, durationMs });
    } else {
      journal.events.emit('failed', { job, error, durationMs });
    }
  }
}
