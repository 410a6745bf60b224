import type { AttemptRef, ClaimedJob } from '@jobs/core';
import { AttemptStop } from './attempt-stop.js';

/**
 * Terminology
 * - held job: an attempt this worker holds the lease of, from its claim until the store has
 *   taken it back (outcome recorded or refused, released) or the worker gives it up (lost,
 *   cancelled). Every held attempt is renewed by the heartbeat, whatever its phase.
 * - phase: `queued` (claimed, waiting in the local queue for a slot: prefetch), `running`
 *   (its handler runs), `recording` (its outcome waits for, or is in, a write), `releasing`
 *   (going back to `queued` in the store, its attempt not counted: shutdown).
 *
 * Held jobs are keyed by job id AND attempt: a job cancelled, retried and claimed again by the
 * same worker is a second entry, and the first attempt's clean-up cannot touch the second.
 */
export type HeldPhase = 'queued' | 'running' | 'recording' | 'releasing';

/** One held attempt. */
export interface HeldJob {
  /** `id:attempt`, the registry's key. */
  readonly key: string;
  /** The job as claimed (its `attempt` is this attempt). */
  readonly job: ClaimedJob;
  /** Where the attempt is; changed only through the registry. */
  readonly phase: HeldPhase;
  /** Stops the attempt (cancel, timeout, lost lease, shutdown). */
  readonly stop: AttemptStop;
  /** When the handler started, on the worker's clock (ms); 0 until it runs. */
  readonly startedAt: number;
}

interface Entry {
  key: string;
  job: ClaimedJob;
  phase: HeldPhase;
  stop: AttemptStop;
  startedAt: number;
}

/** The key of one attempt of one job. */
export function attemptKey(ref: AttemptRef): string {
  return `${ref.id}:${ref.attempt}`;
}

/**
 * The one record of every attempt this worker holds: the heartbeat renews what it lists, the
 * claim loop counts its free slots from it, the stop releases from it, and the outcome writer
 * hands entries back to it when the store has answered.
 */
export class HeldJobs {
  readonly #entries = new Map<string, Entry>();
  /** Entries in phase `queued`, oldest first. */
  #queued: Entry[] = [];
  #running = 0;
  readonly #runningByQueue = new Map<string, number>();

  /** Attempts held, in every phase. */
  get size(): number {
    return this.#entries.size;
  }

  /** Attempts whose handler runs. */
  get runningCount(): number {
    return this.#running;
  }

  /** Attempts waiting in the local queue. */
  get queuedCount(): number {
    return this.#queued.length;
  }

  /** Attempts whose handler runs, per queue. */
  get runningByQueue(): ReadonlyMap<string, number> {
    return this.#runningByQueue;
  }

  /** Holds a claimed attempt in the local queue; null when that attempt is already held. */
  hold(job: ClaimedJob): HeldJob | null {
    const key = attemptKey(job);
    if (this.#entries.has(key)) return null;
    const entry: Entry = { key, job, phase: 'queued', stop: new AttemptStop(), startedAt: 0 };
    this.#entries.set(key, entry);
    this.#queued.push(entry);
    return entry;
  }

  /** Takes the oldest attempt of the local queue and marks it running (at `nowMs`). */
  startNext(nowMs: number): HeldJob | undefined {
    const entry = this.#queued.shift();
    if (entry === undefined) return undefined;
    this.#setPhase(entry, 'running');
    entry.startedAt = nowMs;
    return entry;
  }

  /** Marks an attempt as waiting for its outcome to be written, or to be released. */
  settle(held: HeldJob, phase: 'recording' | 'releasing'): void {
    const entry = this.#own(held);
    if (entry !== undefined) this.#setPhase(entry, phase);
  }

  /** Takes every attempt out of the local queue for release; returns them. */
  releaseQueued(): HeldJob[] {
    const queued = this.#queued;
    this.#queued = [];
    for (const entry of queued) entry.phase = 'releasing';
    return queued;
  }

  /** Takes queued attempts of these keys out of the local queue and forgets them. */
  dropQueued(keys: ReadonlySet<string>): HeldJob[] {
    if (this.#queued.length === 0) return [];
    const dropped: Entry[] = [];
    this.#queued = this.#queued.filter((entry) => {
      if (!keys.has(entry.key)) return true;
      dropped.push(entry);
      this.#entries.delete(entry.key);
      return false;
    });
    return dropped;
  }

  /** Forgets an attempt (the store took it back, or the worker gave it up). */
  forget(held: HeldJob): void {
    const entry = this.#own(held);
    if (entry === undefined) return;
    if (entry.phase === 'running') this.#countRunning(entry, -1);
    if (entry.phase === 'queued') this.#queued = this.#queued.filter((e) => e !== entry);
    this.#entries.delete(entry.key);
  }

  /** The attempt held under `key`, if any. */
  get(key: string): HeldJob | undefined {
    return this.#entries.get(key);
  }

  /** Every held attempt of job `id` (more than one only while an old attempt winds down). */
  withId(id: string): HeldJob[] {
    const found: HeldJob[] = [];
    for (const entry of this.#entries.values()) if (entry.job.id === id) found.push(entry);
    return found;
  }

  /** Every held attempt, as the heartbeat renews them. */
  refs(): AttemptRef[] {
    const refs: AttemptRef[] = [];
    for (const { job } of this.#entries.values()) refs.push({ id: job.id, attempt: job.attempt });
    return refs;
  }

  /** Held attempts in one phase. */
  inPhase(phase: HeldPhase): HeldJob[] {
    const found: HeldJob[] = [];
    for (const entry of this.#entries.values()) if (entry.phase === phase) found.push(entry);
    return found;
  }

  #own(held: HeldJob): Entry | undefined {
    const entry = this.#entries.get(held.key);
    return entry === held ? entry : undefined;
  }

  #setPhase(entry: Entry, phase: HeldPhase): void {
    if (entry.phase === phase) return;
    if (entry.phase === 'running') this.#countRunning(entry, -1);
    if (phase === 'running') this.#countRunning(entry, 1);
    entry.phase = phase;
  }

  #countRunning(entry: Entry, delta: 1 | -1): void {
    this.#running += delta;
    const queue = entry.job.queue;
    const count = (this.#runningByQueue.get(queue) ?? 0) + delta;
    if (count > 0) this.#runningByQueue.set(queue, count);
    else this.#runningByQueue.delete(queue);
  }
}
