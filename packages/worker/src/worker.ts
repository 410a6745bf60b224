import { type FailureOutcome, failureOutcome, type Job, type StoreEvent } from '@jobs/core';
import { AttemptStop } from './attempt-stop.js';
import { claimRound } from './claim-round.js';
import { TypedEmitter } from './emitter.js';
import { toJobError } from './error-entry.js';
import {
  JobCancelledError,
  LeaseLostError,
  WorkerStateError,
  WorkerStoppingError,
} from './errors.js';
import { type AttemptDeps, type AttemptResult, runAttempt } from './execute.js';
import { renewHeldLeases } from './heartbeat.js';
import { formatErrorLogEntry, type JobLogStatus, type JobLogs, writeJobLog } from './job-log.js';
import { noLog, openAppendLog } from './log-files.js';
import { Loop } from './loop.js';
import { type ResolvedWorkerOptions, resolveOptions } from './options.js';
import { type BufferedOutcome, OutcomeBuffer } from './outcome-buffer.js';
import { ProgressBuffer } from './progress.js';
import { releaseJobs } from './release.js';
import { toJsonResult } from './result.js';
import { type RunningJob, RunningJobs } from './running.js';
import { Subscription } from './subscription.js';
import type {
  Worker,
  WorkerErrorSource,
  WorkerEvents,
  WorkerOptions,
  WorkerState,
} from './types.js';

/** Creates a worker; nothing happens until `start()`. Throws WorkerOptionsError on bad options. */
export function createWorker(options: WorkerOptions): Worker {
  return new JobWorker(resolveOptions(options));
}

/** The worker: wires the claim loop, the attempts, the buffers and the periodic tasks together. */
class JobWorker implements Worker {
  readonly id: string;
  readonly events: TypedEmitter<WorkerEvents>;
  #state: WorkerState = 'idle';
  #stopping: Promise<void> | null = null;
  readonly #o: ResolvedWorkerOptions;
  readonly #running = new RunningJobs();
  /** Attempts under way (started and not yet finished with). */
  #attempting = 0;
  /** Called when `#attempting` drops to zero. */
  #onSettled: (() => void)[] = [];
  readonly #toRelease: RunningJob[] = [];
  /** Claimed jobs waiting for a free slot (prefetch), oldest first. */
  #localQueue: Job[] = [];
  readonly #logs: JobLogs;
  readonly #progress: ProgressBuffer;
  readonly #outcomes: OutcomeBuffer;
  readonly #claims: Loop;
  readonly #heartbeat: Loop;
  readonly #rescue: Loop | null;
  readonly #subscription: Subscription;
  readonly #attemptDeps: Omit<AttemptDeps, 'reporter'>;
  /** False after a failed heartbeat: no claims until one succeeds. */
  #leasesHealthy = true;
  /** The last claim round suggested more jobs wait than it could take. */
  #mayHaveMore = false;
  #rotation = 0;
  #lastLogTime = new Date(Number.NaN);

  constructor(o: ResolvedWorkerOptions) {
    this.#o = o;
    this.id = o.workerId;
    const { logger, store, workerId, storeBackoff: backoff, random } = o;
    this.events = new TypedEmitter<WorkerEvents>((error, event) =>
      logger.error('a worker event listener threw', { event: String(event), error }),
    );
    const fileError = (error: unknown) => this.#report(error, 'log-file');
    this.#logs = {
      jobs: o.jobLogPath === null ? noLog : openAppendLog(o.jobLogPath, fileError),
      errors: o.errorLogPath === null ? noLog : openAppendLog(o.errorLogPath, fileError),
    };
    this.#progress = new ProgressBuffer({
      store,
      workerId,
      now: o.now,
      intervalMs: o.progressIntervalMs,
      logger,
    });
    this.#outcomes = new OutcomeBuffer({
      store,
      workerId,
      intervalMs: o.flushIntervalMs,
      maxBatch: o.flushBatchSize,
      backoff,
      random,
      onRecorded: (item) => this.#recorded(item),
      onRefused: (item) =>
        logger.warn('outcome not recorded: the job is no longer leased to this worker', {
          jobId: item.job.id,
          attempt: item.job.attempt,
          outcome: item.kind,
        }),
      onStoreError: (error, pending) => this.#report(error, 'flush', { pending }),
    });
    this.#claims = new Loop({
      intervalMs: o.pollIntervalMs,
      task: () => this.#claimRound(),
      onError: (error) => this.#report(error, 'claim'),
      backoff,
      random,
    });
    this.#heartbeat = new Loop({
      intervalMs: Math.max(1, Math.floor(o.leaseMs / 3)),
      delayFirst: true,
      task: () => this.#renew().then(() => false),
      onError: (error) => {
        this.#leasesHealthy = false;
        this.#report(error, 'renew');
      },
      backoff,
      random,
    });
    this.#rescue =
      o.rescueIntervalMs === 0
        ? null
        : new Loop({
            intervalMs: o.rescueIntervalMs,
            task: () => this.#rescueExpired(),
            onError: (error) => this.#report(error, 'rescue'),
            backoff,
            random,
          });
    this.#subscription = new Subscription({
      store,
      listener: (event) => this.#onStoreEvent(event),
      backoff,
      random,
      intervalMs: o.pollIntervalMs,
      onError: (error) => this.#report(error, 'listen'),
    });
    this.#attemptDeps = {
      registry: o.handlers,
      isolation: { killGraceMs: o.killGraceMs, execArgv: o.isolateExecArgv, cwd: o.cwd },
    };
  }

  get state(): WorkerState {
    return this.#state;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new WorkerStateError(`cannot start a worker that is ${this.#state}`);
    this.#state = 'running';
    const { queues, concurrency, workerId } = this.#o;
    await this.#subscription.open();
    this.#claims.start();
    this.#heartbeat.start();
    this.#rescue?.start();
    this.#o.logger.info('worker started', { workerId, queues, concurrency });
  }

  stop(options: { readonly graceMs?: number } = {}): Promise<void> {
    if (this.#stopping !== null) return this.#stopping;
    if (this.#state === 'idle') {
      this.#state = 'stopped';
      this.#stopping = this.#closeFiles();
      return this.#stopping;
    }
    this.#state = 'stopping';
    this.#stopping = this.#shutDown(options.graceMs ?? this.#o.graceMs);
    return this.#stopping;
  }

  async #shutDown(graceMs: number): Promise<void> {
    const { logger, workerId, stopFlushTimeoutMs } = this.#o;
    logger.info('worker stopping', { workerId, running: this.#running.size, graceMs });
    await this.#claims.stop();
    await this.#rescue?.stop();
    // Held but never started: back to the queue, their claim not counted as an attempt.
    const unstarted = this.#localQueue.splice(0);
    for (const job of unstarted) {
      this.#toRelease.push({ job, stop: new AttemptStop(), startedAt: 0 });
    }
    // Still listening during the grace period, so that a cancel still aborts a running job.
    await this.#settleAttempts(graceMs);
    for (const entry of this.#running.entries()) entry.stop.stop(new WorkerStoppingError());
    await this.#settleAttempts(Number.POSITIVE_INFINITY);
    await this.#subscription.close();
    const released = await releaseJobs(this.#toRelease.splice(0), {
      store: this.#o.store,
      workerId,
      timeoutMs: stopFlushTimeoutMs,
      backoff: this.#o.storeBackoff,
      random: this.#o.random,
      onError: (error) => this.#report(error, 'release'),
    });
    for (const job of released) {
      this.#jobLog(job, 'queued', job.attempt - 1);
      this.events.emit('released', { job });
    }
    const left = await this.#outcomes.drain(stopFlushTimeoutMs);
    if (left > 0) {
      logger.error('outcomes not recorded before stop; their leases will expire and be rescued', {
        left,
      });
    }
    await this.#heartbeat.stop();
    this.#outcomes.close();
    this.#progress.close();
    await this.#closeFiles();
    this.#state = 'stopped';
    logger.info('worker stopped', { workerId });
    this.events.emit('stopped', { workerId });
  }

  async #closeFiles(): Promise<void> {
    await Promise.all([this.#logs.jobs.close(), this.#logs.errors.close()]);
  }

  /** Waits until no attempt is under way, or `ms` has passed. */
  #settleAttempts(ms: number): Promise<void> {
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

  // --- claiming -------------------------------------------------------------------------------

  async #claimRound(): Promise<boolean> {
    if (this.#state !== 'running' || !this.#leasesHealthy) return false;
    const o = this.#o;
    const round = await claimRound({
      store: o.store,
      workerId: o.workerId,
      leaseMs: o.leaseMs,
      concurrency: o.concurrency,
      prefetch: o.prefetch,
      localQueued: this.#localQueue.length,
      batchSize: o.batchSize,
      queues: o.queues,
      queueConcurrency: o.queueConcurrency,
      running: this.#running,
      rotation: this.#rotation++,
      shouldContinue: () => this.#state === 'running',
      onClaimed: (job) => {
        if (this.#running.size < o.concurrency) this.#begin(job);
        else this.#localQueue.push(job);
      },
    });
    this.#mayHaveMore = round.mayHaveMore;
    return round.full;
  }

  #onStoreEvent(event: StoreEvent): void {
    switch (event.type) {
      case 'inserted':
        this.#claims.wake();
        return;
      case 'cancelled':
        for (const id of event.ids) {
          this.#running.get(id)?.stop.stop(new JobCancelledError(id));
        }
        this.#dropLocal(new Set(event.ids), 'cancelled');
        return;
      default:
        // Other events (e.g. change feeds for dashboards) are not the worker's business.
        return;
    }
  }

  // --- one attempt ----------------------------------------------------------------------------

  #begin(job: Job): void {
    const entry: RunningJob = {
      job,
      stop: new AttemptStop(),
      startedAt: this.#o.nowMs(),
    };
    this.#running.add(entry);
    this.#jobLog(job, 'running', job.attempt);
    this.events.emit('started', { job });
    this.#attempting += 1;
    void this.#attempt(entry);
  }

  /** Runs an attempt and hands its outcome on; never rejects. */
  async #attempt(entry: RunningJob): Promise<void> {
    const { job } = entry;
    try {
      const result: AttemptResult = await runAttempt(job, entry.stop, {
        ...this.#attemptDeps,
        reporter: this.#progress.reporter(job.id),
      });
      if (result.kind === 'aborted') this.#aborted(entry, result.reason);
      else {
        // Progress or log lines the handler left are stored before its outcome.
        if (this.#progress.has(job.id)) await this.#progress.finish(job.id);
        this.#finished(entry, result);
      }
    } catch (error) {
      this.#o.logger.error('unexpected error while finishing an attempt', { jobId: job.id, error });
    } finally {
      this.#running.delete(job.id);
      this.#attempting -= 1;
      if (this.#attempting === 0) for (const done of this.#onSettled.splice(0)) done();
      this.#startLocal();
    }
  }

  /** Fills free slots from the local queue; wakes the claim loop when it runs low. */
  #startLocal(): void {
    if (this.#state !== 'running') return;
    while (this.#running.size < this.#o.concurrency) {
      const next = this.#localQueue.shift();
      if (next === undefined) break;
      this.#begin(next);
    }
    if (this.#mayHaveMore && this.#localQueue.length <= this.#o.prefetch / 2) this.#claims.wake();
  }

  /** Forgets locally queued jobs that were cancelled or whose lease was lost. */
  #dropLocal(ids: ReadonlySet<string>, reason: 'cancelled' | 'lease-lost'): void {
    if (this.#localQueue.length === 0) return;
    const kept: Job[] = [];
    for (const job of this.#localQueue) {
      if (!ids.has(job.id)) {
        kept.push(job);
        continue;
      }
      this.#jobLog(job, reason, job.attempt);
      this.events.emit('cancelled', { job, reason });
    }
    this.#localQueue = kept;
  }

  #aborted(entry: RunningJob, reason: unknown): void {
    const { job } = entry;
    this.#progress.drop(job.id);
    if (reason instanceof WorkerStoppingError) {
      this.#toRelease.push(entry);
      return;
    }
    const cause = reason instanceof JobCancelledError ? 'cancelled' : 'lease-lost';
    this.#jobLog(job, cause, job.attempt, this.#elapsed(entry));
    this.events.emit('cancelled', { job, reason: cause });
  }

  #finished(entry: RunningJob, result: Exclude<AttemptResult, { kind: 'aborted' }>): void {
    const { job } = entry;
    const durationMs = this.#elapsed(entry);
    if (result.kind === 'completed') {
      this.#outcomes.add({ kind: 'complete', job, result: toJsonResult(result.value), durationMs });
      return;
    }
    const { now, random, workerId } = this.#o;
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
    this.#logs.errors.append(formatErrorLogEntry(job, error, outcome.state));
    this.#outcomes.add({ kind: 'fail', job, error, outcome, durationMs });
  }

  #recorded(item: BufferedOutcome): void {
    const { job, durationMs } = item;
    if (item.kind === 'complete') {
      this.#jobLog(job, 'completed', job.attempt, durationMs);
      this.events.emit('completed', { job, result: item.result, durationMs });
      return;
    }
    const { error, outcome } = item;
    this.#jobLog(job, outcome.state, job.attempt, durationMs);
    if (outcome.state === 'retrying') {
      this.events.emit('retrying', { job, error, delayMs: outcome.delayMs, durationMs });
    } else {
      this.events.emit('failed', { job, error, durationMs });
    }
  }

  // --- leases ---------------------------------------------------------------------------------

  async #renew(): Promise<void> {
    await renewHeldLeases({
      store: this.#o.store,
      workerId: this.#o.workerId,
      leaseMs: this.#o.leaseMs,
      heldIds: () => [
        ...this.#running.ids(),
        ...this.#localQueue.map((job) => job.id),
        ...this.#outcomes.pendingIds(),
      ],
      onLost: (ids) => {
        for (const id of ids) this.#running.get(id)?.stop.stop(new LeaseLostError(id));
        this.#dropLocal(new Set(ids), 'lease-lost');
      },
    });
    if (!this.#leasesHealthy) {
      this.#leasesHealthy = true;
      this.#o.logger.info('leases renewed again; claiming resumes');
      this.#claims.wake();
    }
  }

  async #rescueExpired(): Promise<boolean> {
    const { store, rescueBatchSize, random } = this.#o;
    const rescued = await store.leaseRescue({ limit: rescueBatchSize, random });
    for (const job of rescued) {
      const error = job.errors.at(-1);
      const status = job.state === 'failed' ? 'failed' : 'retrying';
      this.#jobLog(job, status, job.attempt);
      if (error !== undefined) this.#logs.errors.append(formatErrorLogEntry(job, error, status));
      this.events.emit('rescued', { job });
    }
    if (rescued.length > 0)
      this.#o.logger.warn('rescued jobs whose lease expired', { count: rescued.length });
    return rescued.length >= rescueBatchSize;
  }

  // --- reporting ------------------------------------------------------------------------------

  #elapsed(entry: RunningJob): number {
    return Math.max(0, this.#o.nowMs() - entry.startedAt);
  }

  /** The time for a job-log line; one Date per millisecond, as lines come in bursts. */
  #logTime(): Date {
    const ms = this.#o.nowMs();
    if (ms !== this.#lastLogTime.getTime()) this.#lastLogTime = new Date(ms);
    return this.#lastLogTime;
  }

  #jobLog(job: Job, status: JobLogStatus, attempt: number, durationMs?: number): void {
    writeJobLog(this.#logs, {
      at: this.#logTime(),
      job,
      status,
      attempt,
      workerId: this.#o.workerId,
      ...(durationMs === undefined ? {} : { durationMs }),
    });
  }

  #report(error: unknown, source: WorkerErrorSource, fields: Record<string, unknown> = {}): void {
    this.#o.logger.error(`worker ${source} failed; retrying`, { source, error, ...fields });
    this.events.emit('error', { error, source });
  }
}
