import type { Job } from '@jobs/core';
import type { AttemptStop } from './attempt-stop.js';

/** A job this worker is running. */
export interface RunningJob {
  readonly job: Job;
  /** Stops the attempt; its reason says why. */
  readonly stop: AttemptStop;
  /** When the attempt started (ms, from the worker's clock). */
  readonly startedAt: number;
}

/** The jobs this worker runs now, counted per queue. */
export class RunningJobs {
  readonly #jobs = new Map<string, RunningJob>();
  readonly #byQueue = new Map<string, number>();

  /** How many run. */
  get size(): number {
    return this.#jobs.size;
  }

  /** How many run, per queue. */
  get byQueue(): ReadonlyMap<string, number> {
    return this.#byQueue;
  }

  add(entry: RunningJob): void {
    this.#jobs.set(entry.job.id, entry);
    this.#byQueue.set(entry.job.queue, (this.#byQueue.get(entry.job.queue) ?? 0) + 1);
  }

  /** Forgets a job; false when it was not running. */
  delete(id: string): boolean {
    const entry = this.#jobs.get(id);
    if (entry === undefined) return false;
    this.#jobs.delete(id);
    const left = (this.#byQueue.get(entry.job.queue) ?? 1) - 1;
    if (left > 0) this.#byQueue.set(entry.job.queue, left);
    else this.#byQueue.delete(entry.job.queue);
    return true;
  }

  get(id: string): RunningJob | undefined {
    return this.#jobs.get(id);
  }

  ids(): string[] {
    return [...this.#jobs.keys()];
  }

  entries(): RunningJob[] {
    return [...this.#jobs.values()];
  }
}
