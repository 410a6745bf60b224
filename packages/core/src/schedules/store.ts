import type { Job } from '../job.js';
import type { NewJob } from '../store.js';
import type { ScheduleSpec } from './definition.js';
import type { CatchUp } from './plan.js';

/** Where a schedule was defined: `jobs.config.ts`, or at run time (API, CLI, dashboard). */
export type ScheduleSource = 'config' | 'api';

/**
 * - `active`: enqueues a job at every tick;
 * - `paused`: paused by hand, or declared with `enabled: false`; enqueues nothing;
 * - `removed`: came from `jobs.config.ts` and is no longer there; kept with its history,
 *   enqueues nothing until it is declared again.
 */
export type ScheduleStatus = 'active' | 'paused' | 'removed';

/** A stored schedule: its definition and where its ticks stand, on the store's clock. */
export interface Schedule {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly handler: string;
  readonly method: string;
  readonly params: ScheduleSpec['params'];
  readonly options: ScheduleSpec['options'];
  readonly catchUp: CatchUp;
  /** False while paused. */
  readonly enabled: boolean;
  readonly source: ScheduleSource;
  /** When a config schedule was found missing from the config; null while declared. */
  readonly removedAt: Date | null;
  readonly status: ScheduleStatus;
  /** The last tick handled (a job enqueued for it, or skipped by the catch-up policy). */
  readonly lastTick: Date | null;
  /** The next tick a job will be enqueued for; null when the expression has no more. */
  readonly nextTick: Date | null;
  /** The process (its worker id) that handled the last tick; null before the first. */
  readonly lastFiredBy: string | null;
  /** Why the last tick made no job (its handler or params no longer pass), null when it did. */
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a schedule's job records: which schedule made it, and for which tick. */
export interface JobScheduleRef {
  readonly name: string;
  /** The tick; null for a job triggered by hand (`trigger`). */
  readonly tick: Date | null;
}

/** The outcome of a change to one schedule. */
export type ScheduleChange =
  | { readonly ok: true; readonly schedule: Schedule }
  | { readonly ok: false; readonly reason: 'not_found' | 'exists' | 'config' };

/** What one pass of the scheduler did. */
export interface ScheduleFireResult {
  /** Jobs enqueued, one per tick. */
  readonly enqueued: number;
  /** Milliseconds until the earliest next tick of an active schedule (null: none). */
  readonly nextDueMs: number | null;
}

/** Builds the job of a schedule's tick (checked against the process's allow-list). */
export type ScheduleJobMaker = (schedule: Schedule) => Promise<NewJob>;

/**
 * The storage of schedules, next to `JobStore`. Which process enqueues a tick is decided by
 * the database: a schedule's row is locked while one process enqueues its due ticks, and the
 * jobs and the new `lastTick` commit together, so a tick is enqueued once or (if that process
 * dies first) not yet, never twice or lost.
 */
export interface ScheduleStore {
  /**
   * Upserts the schedules of `jobs.config.ts` (a daemon starting); config schedules that are
   * no longer declared are marked removed (kept with their history). Returns the removed names.
   */
  scheduleSync(params: { readonly schedules: readonly ScheduleSpec[] }): Promise<{
    readonly removed: readonly string[];
  }>;
  /** Every schedule by name. */
  scheduleList(): Promise<Schedule[]>;
  /** One schedule, or null. */
  scheduleGet(params: { readonly name: string }): Promise<Schedule | null>;
  /** Adds a run-time schedule; `exists` when the name is taken. */
  scheduleCreate(params: { readonly schedule: ScheduleSpec }): Promise<ScheduleChange>;
  /** Replaces a run-time schedule's definition; `config` for one of `jobs.config.ts`. */
  scheduleReplace(params: { readonly schedule: ScheduleSpec }): Promise<ScheduleChange>;
  /** Deletes a run-time schedule (its jobs stay); `config` for one of `jobs.config.ts`. */
  scheduleDelete(params: { readonly name: string }): Promise<ScheduleChange>;
  /** Pauses or resumes; resuming starts again from the next tick after now (no catch-up). */
  scheduleEnabledSet(params: {
    readonly name: string;
    readonly enabled: boolean;
  }): Promise<ScheduleChange>;
  /** Enqueues one job of the schedule now (its tick recorded as null); null when unknown. */
  scheduleTrigger(params: {
    readonly name: string;
    readonly make: ScheduleJobMaker;
  }): Promise<Job | null>;
  /**
   * Enqueues the due ticks of every active schedule no other process is enqueuing (planned by
   * core's `planTicks` on the store's clock), each schedule in its own transaction.
   */
  scheduleFire(params: {
    readonly make: ScheduleJobMaker;
    /** Who fires (a worker id), recorded as `lastFiredBy`. */
    readonly by: string;
  }): Promise<ScheduleFireResult>;
  /** The newest jobs a schedule made, newest first. */
  scheduleJobs(params: { readonly name: string; readonly limit: number }): Promise<Job[]>;
}
