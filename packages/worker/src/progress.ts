import {
  type AttemptRef,
  type JobLogLine,
  type JobStore,
  type JsonValue,
  toStorableJson,
  utf8ByteLength,
  ValidationError,
} from '@jobs/core';
import { cut } from './error-entry.js';
import { attemptKey } from './held.js';
import type { Logger } from './logger.js';

/** Longest log line a handler may store, in characters; longer lines are cut. */
export const MAX_LOG_LINE_LENGTH = 2_000;

/** Lines kept waiting per job between writes; older ones are dropped first (storage keeps 200). */
export const MAX_PENDING_LOG_LINES = 200;

/** Largest progress value, in UTF-8 bytes of JSON. */
export const MAX_PROGRESS_BYTES = 64 * 1024;

/** What an attempt's handler reports between two writes. */
interface Pending {
  readonly ref: AttemptRef;
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
 * Collects progress and log lines per running attempt and stores them through
 * `jobProgressSet`, at most once per `intervalMs` per attempt (the latest progress wins; lines
 * accumulate, bounded). Text is made storable here (see core's text.ts). Once an attempt has
 * ended, its reporter is closed: a handler that goes on after a timeout reports nothing, and
 * the store refuses writes of an attempt that is not the job's current one anyway.
 */
export class ProgressBuffer {
  /** Keyed by `attemptKey`. */
  readonly #pending = new Map<string, Pending>();
  /** Attempts whose reporter is open (between `reporter` and `drop`). */
  readonly #open = new Set<string>();
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

  /**
   * The reporting functions for one attempt; they do nothing once it was dropped. `key` is the
   * attempt's `attemptKey` (the held-jobs registry has it already: no string built per job).
   */
  reporter(ref: AttemptRef, key: string = attemptKey(ref)): ProgressReporter {
    this.#open.add(key);
    return {
      progress: (value) => {
        const checked = checkProgress(value);
        const entry = this.#entry(key, ref);
        if (entry === undefined) return;
        entry.progress = checked;
        entry.hasProgress = true;
        this.#schedule();
      },
      log: (line) => {
        const entry = this.#entry(key, ref);
        if (entry === undefined) return;
        const text = typeof line === 'string' ? line : String(line);
        entry.lines.push({
          at: this.deps.now().toISOString(),
          line: cut(text, MAX_LOG_LINE_LENGTH),
        });
        if (entry.lines.length > MAX_PENDING_LOG_LINES) entry.lines.shift();
        this.#schedule();
      },
    };
  }

  /** Whether the attempt of `key` reported anything not yet stored (`finish` has work to do). */
  has(key: string): boolean {
    return this.#pending.size > 0 && this.#pending.has(key);
  }

  /** Writes what the attempt of `key` reported and not yet stored (it is ending). */
  async finish(key: string): Promise<void> {
    const entry = this.#pending.get(key);
    if (entry === undefined) return;
    await entry.writing;
    await this.#write(entry);
    this.#pending.delete(key);
  }

  /** Closes the reporter of the attempt of `key` and forgets what it left unwritten. */
  drop(key: string): void {
    this.#open.delete(key);
    if (this.#pending.size > 0) this.#pending.delete(key);
  }

  /** Stops the timer; pending reports of jobs still running are dropped. */
  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
    this.#open.clear();
  }

  #entry(key: string, ref: AttemptRef): Pending | undefined {
    if (!this.#open.has(key)) return undefined;
    let entry = this.#pending.get(key);
    if (entry === undefined) {
      entry = {
        ref: { id: ref.id, attempt: ref.attempt },
        hasProgress: false,
        progress: null,
        lines: [],
        writing: null,
      };
      this.#pending.set(key, entry);
    }
    return entry;
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      for (const entry of this.#pending.values()) {
        if (entry.writing === null) void this.#write(entry);
      }
    }, this.deps.intervalMs);
    this.#timer.unref();
  }

  #write(entry: Pending): Promise<void> {
    if (!entry.hasProgress && entry.lines.length === 0) return Promise.resolve();
    const { hasProgress, progress, lines } = entry;
    const { id, attempt } = entry.ref;
    const key = attemptKey(entry.ref);
    entry.hasProgress = false;
    entry.lines = [];
    const params = {
      workerId: this.deps.workerId,
      id,
      attempt,
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
        if (waiting && this.#pending.get(key) === entry) this.#schedule();
      });
    entry.writing = writing;
    return writing;
  }
}

function checkProgress(value: unknown): JsonValue {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError('progress', 'must be a finite number');
    return Object.is(value, -0) ? 0 : value;
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
  return toStorableJson(JSON.parse(text) as JsonValue);
}
