import {
  type JobLogLine,
  type JobStore,
  type JsonValue,
  utf8ByteLength,
  ValidationError,
} from '@jobs/core';
import { cut } from './error-entry.js';
import type { Logger } from './logger.js';

/** Longest log line a handler may store, in characters; longer lines are cut. */
export const MAX_LOG_LINE_LENGTH = 2_000;

/** Lines kept waiting per job between writes; older ones are dropped first (storage keeps 200). */
export const MAX_PENDING_LOG_LINES = 200;

/** Largest progress value, in UTF-8 bytes of JSON. */
export const MAX_PROGRESS_BYTES = 64 * 1024;

/** What a job's handler reports between two writes. */
interface Pending {
  hasProgress: boolean;
  progress: JsonValue;
  lines: JobLogLine[];
  /** The write under way for this job, if any. */
  writing: Promise<void> | null;
}

/** The two reporting functions of a job's context. */
export interface ProgressReporter {
  progress(value: unknown): void;
  log(line: string): void;
}

/**
 * Collects progress and log lines per running job and stores them through `jobProgressSet`, at
 * most once per `intervalMs` per job (the latest progress wins; lines accumulate, bounded).
 */
export class ProgressBuffer {
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      readonly store: JobStore;
      readonly workerId: string;
      readonly now: () => Date;
      readonly intervalMs: number;
      readonly logger: Logger;
    },
  ) {}

  /** The reporting functions for job `id`. */
  reporter(id: string): ProgressReporter {
    return {
      progress: (value) => {
        const entry = this.#entry(id);
        entry.progress = checkProgress(value);
        entry.hasProgress = true;
        this.#schedule();
      },
      log: (line) => {
        const entry = this.#entry(id);
        const text = cut(typeof line === 'string' ? line : String(line), MAX_LOG_LINE_LENGTH);
        entry.lines.push({ at: this.deps.now().toISOString(), line: text });
        if (entry.lines.length > MAX_PENDING_LOG_LINES) entry.lines.shift();
        this.#schedule();
      },
    };
  }

  /** Whether job `id` reported anything not yet stored (`finish` has work to do). */
  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /** Writes what job `id` reported and not yet stored, then forgets the job (it is ending). */
  async finish(id: string): Promise<void> {
    const entry = this.#pending.get(id);
    if (entry === undefined) return;
    await entry.writing;
    await this.#write(id, entry);
    this.#pending.delete(id);
  }

  /** Forgets job `id` without writing (it was cancelled or lost). */
  drop(id: string): void {
    this.#pending.delete(id);
  }

  /** Stops the timer; pending reports of jobs still running are dropped. */
  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
  }

  #entry(id: string): Pending {
    let entry = this.#pending.get(id);
    if (entry === undefined) {
      entry = { hasProgress: false, progress: null, lines: [], writing: null };
      this.#pending.set(id, entry);
    }
    return entry;
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      for (const [id, entry] of this.#pending) {
        if (entry.writing === null) void this.#write(id, entry);
      }
    }, this.deps.intervalMs);
    this.#timer.unref();
  }

  #write(id: string, entry: Pending): Promise<void> {
    if (!entry.hasProgress && entry.lines.length === 0) return Promise.resolve();
    const { hasProgress, progress, lines } = entry;
    entry.hasProgress = false;
    entry.lines = [];
    const params = {
      workerId: this.deps.workerId,
      id,
      ...(hasProgress ? { progress } : {}),
      ...(lines.length > 0 ? { logs: lines } : {}),
    };
    const writing = this.deps.store
      .jobProgressSet(params)
      .then(
        () => {},
        (error: unknown) => {
          this.deps.logger.warn('could not store progress; will try again', { jobId: id, error });
          // Keep what was not stored, unless newer reports replaced it.
          if (!entry.hasProgress && hasProgress) {
            entry.hasProgress = true;
            entry.progress = progress;
          }
          entry.lines = [...lines, ...entry.lines].slice(-MAX_PENDING_LOG_LINES);
        },
      )
      .finally(() => {
        if (entry.writing === writing) entry.writing = null;
        const waiting = entry.hasProgress || entry.lines.length > 0;
        if (waiting && this.#pending.get(id) === entry) this.#schedule();
      });
    entry.writing = writing;
    return writing;
  }
}

function checkProgress(value: unknown): JsonValue {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError('progress', 'must be a finite number');
    return value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('progress', 'must be a number or a JSON object');
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new ValidationError('progress', 'must be serializable as JSON', { cause });
  }
  if (text === undefined) throw new ValidationError('progress', 'must be serializable as JSON');
  if (utf8ByteLength(text) > MAX_PROGRESS_BYTES) {
    throw new ValidationError('progress', `must be at most ${MAX_PROGRESS_BYTES} bytes as JSON`);
  }
  return JSON.parse(text) as JsonValue;
}
