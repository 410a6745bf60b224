import type { AttemptRef, StoreEvent } from '@jobs/core';
import { Claimer } from './claimer.js';
import { Completer } from './completer.js';
import { TypedEmitter } from './emitter.js';
import {
  JobCancelledError,
  LeaseLostError,
  WorkerStateError,
  WorkerStoppingError,
} from './errors.js';
import { Executor } from './executor.js';
import { renewHeldLeases } from './heartbeat.js';
import { attemptKey, type HeldJob, HeldJobs } from './held.js';
import type { JobLogs } from './job-log.js';
import { Journal } from './journal.js';
import { noLog, openAppendLog } from './log-files.js';
import { Loop } from './loop.js';
import { type ResolvedWorkerOptions, resolveOptions } from './options.js';
import { dependencyResults } from './parents.js';
import { ProgressBuffer } from './progress.js';
import { createPruner } from './pruner.js';
import { releaseJobs } from './release.js';
import { Subscription } from './subscription.js';
import type { Worker, WorkerEvents, WorkerOptions, WorkerState } from './types.js';

/** Creates a worker; nothing happens until `start()`. Throws WorkerOptionsError on bad options. */
export function createWorker(options: WorkerOptions): Worker {
  return new JobWorker(resolveOptions(options));
}

/**
 * The worker: wires the claim loop, the executor and the completer around one registry of held
 * attempts, which the heartbeat renews and the stop releases from; plus the rescue of expired
 * leases and the store's events.
 */
class JobWorker implements Worker {
  readonly id: string;
  readonly events: TypedEmitter<WorkerEvents>;
  #state: WorkerState = 'idle';
  #stopping: Promise<void> | null = null;
  readonly #o: ResolvedWorkerOptions;
  readonly #held = new HeldJobs();
  readonly #logs: JobLogs;
  readonly #journal: Journal;
  readonly #progress: ProgressBuffer;
  readonly #completer: Completer;
  readonly #executor: Executor;
  readonly #claimer: Claimer;
  readonly #heartbeat: Loop;
  readonly #rescue: Loop | null;
  readonly #pruner: Loop | null;
  readonly #subscription: Subscription;
  /** False after a failed heartbeat: no claims until one succeeds. */
  #leasesHealthy = true;
  /** Jobs announced cancelled since the last renewal: a lost lease among them was a cancel. */
  readonly #cancelAnnounced = new Set<string>();

  constructor(o: ResolvedWorkerOptions) {
    this.#o = o;
    this.id = o.workerId;
    const { logger, store, workerId, storeBackoff: backoff, random } = o;
    this.events = new TypedEmitter<WorkerEvents>((error, event) =>
      logger.error('a worker event listener threw', { event: String(event), error }),
    );
    const fileError = (error: unknown) => this.#journal.report(error, 'log-file');
    this.#logs = {
      jobs: o.jobLogPath === null ? noLog : openAppendLog(o.jobLogPath, fileError),
      errors: o.errorLogPath === null ? noLog : openAppendLog(o.errorLogPath, fileError),
    };
    const journal = new Journal({
      logs: this.#logs,
      events: this.events,
      logger,
      workerId,
      nowMs: o.nowMs,
    });
    this.#journal = journal;
    const held = this.#held;
    this.#progress = new ProgressBuffer({
      store,
      workerId,
      now: o.now,
      intervalMs: o.progressIntervalMs,
      logger,
    });
    this.#completer = new Completer({
      store,
      workerId,
      held,
      journal,
      now: o.now,
      nowMs: o.nowMs,
      random,
      backoff,
      flushIntervalMs: o.flushIntervalMs,
      flushBatchSize: o.flushBatchSize,
    });
    this.#executor = new Executor({
      held,
      concurrency: o.concurrency,
      workerId,
      nowMs: o.nowMs,
      attempt: {
        registry: o.handlers,
        parents: (job) => dependencyResults(store, job),
        isolation: { killGraceMs: o.killGraceMs, execArgv: o.isolateExecArgv, cwd: o.cwd },
      },
      progress: this.#progress,
      completer: this.#completer,
      journal,
      accepting: () => this.#state === 'running',
      onSlotFreed: () => this.#claimer.slotFreed(),
    });
    this.#claimer = new Claimer({
      options: o,
      held,
      journal,
      canClaim: () => this.#state === 'running' && this.#leasesHealthy,
      onClaimed: (job) => {
        held.hold(job);
        this.#executor.fill();
      },
    });
    this.#heartbeat = new Loop({
      intervalMs: Math.max(1, Math.floor(o.leaseMs / 3)),
      delayFirst: true,
      task: () => this.#renew().then(() => false),
      onError: (error) => {
        this.#leasesHealthy = false;
        journal.report(error, 'renew');
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
            onError: (error) => journal.report(error, 'rescue'),
            backoff,
            random,
          });
    this.#pruner = createPruner({
      store,
      intervalMs: o.pruneIntervalMs,
      batchSize: o.pruneBatchSize,
      jobLog: this.#logs.jobs,
      journal,
      workerId,
      now: o.now,
      backoff,
      random,
    });
    this.#subscription = new Subscription({
      store,
      listener: (event) => this.#onStoreEvent(event),
      backoff,
      random,
      intervalMs: o.pollIntervalMs,
      onError: (error) => journal.report(error, 'listen'),
    });
  }

  get state(): WorkerState {
    return this.#state;
  }

  get runningCount(): number {
    return this.#held.runningCount;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle')
      throw new WorkerStateError(`cannot start a worker that is ${this.#state}`);
    this.#state = 'running';
    const { queues, concurrency, workerId } = this.#o;
    await this.#subscription.open();
    this.#claimer.start();
    this.#heartbeat.start();
    this.#rescue?.start();
    this.#pruner?.start();
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

  /**
   * Stops claiming; releases at once what was claimed but never started (other workers may run
   * it now); lets running attempts finish for the grace, then stops and releases the rest;
   * writes what is buffered. The heartbeat renews every held attempt until the store has it
   * back, so no lease expires during the stop.
   */
  async #shutDown(graceMs: number): Promise<void> {
    const { logger, workerId, stopFlushTimeoutMs } = this.#o;
    logger.info('worker stopping', { workerId, running: this.#held.runningCount, graceMs });
    await this.#claimer.stop();
    await this.#rescue?.stop();
    await this.#pruner?.stop();
    const unstarted = this.#release(this.#held.releaseQueued());
    // Still listening during the grace period, so that a cancel still aborts a running job.
    await this.#executor.settled(graceMs);
    this.#executor.stopAll(new WorkerStoppingError());
    await this.#executor.settled(Number.POSITIVE_INFINITY);
    await unstarted;
    await this.#release(this.#held.inPhase('releasing'));
    const left = await this.#completer.drain(stopFlushTimeoutMs);
    if (left > 0) {
      logger.error('outcomes not recorded before stop; their leases will expire and be rescued', {
        left,
      });
    }
    await this.#subscription.close();
    await this.#heartbeat.stop();
    this.#completer.close();
    this.#progress.close();
    await this.#closeFiles();
    this.#state = 'stopped';
    logger.info('worker stopped', { workerId });
    this.events.emit('stopped', { workerId });
  }

  /** Hands attempts back to `queued` without counting them; forgets them either way. */
  async #release(entries: readonly HeldJob[]): Promise<void> {
    if (entries.length === 0) return;
    const released = new Set(
      await releaseJobs(entries, {
        store: this.#o.store,
        workerId: this.#o.workerId,
        timeoutMs: this.#o.stopFlushTimeoutMs,
        backoff: this.#o.storeBackoff,
        random: this.#o.random,
        onError: (error) => this.#journal.report(error, 'release'),
      }),
    );
    for (const entry of entries) {
      this.#held.forget(entry);
      if (!released.has(entry.job)) continue;
      this.#journal.job(entry.job, 'queued', entry.job.attempt - 1);
      this.events.emit('released', { job: entry.job });
    }
  }

  async #closeFiles(): Promise<void> {
    await Promise.all([this.#logs.jobs.close(), this.#logs.errors.close()]);
  }

  #onStoreEvent(event: StoreEvent): void {
    switch (event.type) {
      case 'inserted':
        this.#claimer.wake();
        return;
      case 'cancelled': {
        // The event names jobs, not attempts: a renewal tells which held attempt it was.
        const held = event.ids.filter((id) => this.#held.withId(id).length > 0);
        if (held.length === 0) return;
        for (const id of held) this.#cancelAnnounced.add(id);
        this.#heartbeat.wake();
        return;
      }
      default:
        // Other events (e.g. change feeds for dashboards) are not the worker's business.
        return;
    }
  }

  // --- leases ---------------------------------------------------------------------------------

  async #renew(): Promise<void> {
    const announced = [...this.#cancelAnnounced];
    await renewHeldLeases({
      store: this.#o.store,
      workerId: this.#o.workerId,
      leaseMs: this.#o.leaseMs,
      held: () => this.#held.refs(),
      onLost: (lost) => this.#lost(lost),
    });
    for (const id of announced) this.#cancelAnnounced.delete(id);
    if (!this.#leasesHealthy) {
      this.#leasesHealthy = true;
      this.#o.logger.info('leases renewed again; claiming resumes');
      this.#claimer.wake();
    }
  }

  /** Attempts the store no longer lists as ours: stop those running, drop those queued. */
  #lost(lost: readonly AttemptRef[]): void {
    const dropKeys = new Set<string>();
    for (const ref of lost) {
      const entry = this.#held.get(attemptKey(ref));
      if (entry?.phase === 'running') {
        entry.stop.stop(
          this.#cancelAnnounced.has(ref.id)
            ? new JobCancelledError(ref.id)
            : new LeaseLostError(ref.id),
        );
      } else if (entry?.phase === 'queued') dropKeys.add(entry.key);
      // Attempts recording or releasing: the store refuses their write, which forgets them.
    }
    for (const { job } of this.#held.dropQueued(dropKeys)) {
      const reason = this.#cancelAnnounced.has(job.id) ? 'cancelled' : 'lease-lost';
      this.#journal.job(job, reason, job.attempt);
      this.events.emit('cancelled', { job, reason });
    }
  }

  async #rescueExpired(): Promise<boolean> {
    const { store, rescueBatchSize, random } = this.#o;
    const rescued = await store.leaseRescue({ limit: rescueBatchSize, random });
    for (const job of rescued) {
      const error = job.errors.at(-1);
      const status = job.state === 'failed' ? 'failed' : 'retrying';
      this.#journal.job(job, status, job.attempt);
      if (error !== undefined) this.#journal.error(job, error, status);
      this.events.emit('rescued', { job });
    }
    if (rescued.length > 0)
      this.#o.logger.warn('rescued jobs whose lease expired', { count: rescued.length });
    return rescued.length >= rescueBatchSize;
  }
}
