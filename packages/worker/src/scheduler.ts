import { hostname } from 'node:os';
import {
  CLIENT_DEFAULTS,
  type ClientDefaults,
  type HandlerRegistry,
  resolveClientDefaults,
  type ScheduleJobMaker,
  type ScheduleStore,
  scheduleJob,
} from '@jobs/core';
import { type Logger, silentLogger } from './logger.js';

/** Settings of `createScheduler`. */
export interface SchedulerOptions {
  /** Where schedules live (the PostgreSQL store implements it). */
  readonly store: ScheduleStore;
  /** The allow-list the jobs of every tick are checked against, as an enqueue's would be. */
  readonly handlers: HandlerRegistry<unknown>;
  /** Defaults for the jobs (retries, backoff, queue), e.g. MAX_RETRIES. */
  readonly defaults?: Partial<ClientDefaults>;
  /** Longest wait between looks at the schedules table, in milliseconds (default 1,000). */
  readonly pollIntervalMs?: number;
  readonly logger?: Logger;
  /** Who this scheduler is, recorded on each schedule it fires (default `<host>:<pid>`). */
  readonly id?: string;
}

/** The scheduler of one daemon: enqueues the due ticks of every active schedule. */
export interface Scheduler {
  /** Starts looking (once); resolves after the first look. */
  start(): Promise<void>;
  /** Stops; resolves once a look under way has ended (its transaction committed or rolled back). */
  stop(): Promise<void>;
}

/** Shortest wait between looks, so that a schedule another process holds is not polled hot. */
const MIN_WAIT_MS = 25;

/**
 * A scheduler: it wakes at the next tick of any schedule (or every `pollIntervalMs`, so that
 * schedules created or resumed elsewhere are seen) and asks the store to fire what is due. Any
 * number of daemons may run one: the database decides which enqueues each tick (see
 * `ScheduleStore`). A failing look is logged and retried at the next poll.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const {
    store,
    handlers,
    pollIntervalMs = 1_000,
    logger = silentLogger,
    id = `${hostname()}:${process.pid}`,
  } = options;
  const defaults = resolveClientDefaults({ ...CLIENT_DEFAULTS, ...options.defaults });
  const make: ScheduleJobMaker = (schedule) => scheduleJob(handlers, schedule, defaults);
  let stopped = false;
  let wake: (() => void) | null = null;
  let done: Promise<void> | null = null;
  let failures = 0;

  async function look(): Promise<number> {
    try {
      const { enqueued, nextDueMs } = await store.scheduleFire({ make, by: id });
      if (enqueued > 0) logger.debug('schedules fired', { jobs: enqueued });
      failures = 0;
      return nextDueMs === null
        ? pollIntervalMs
        : Math.min(pollIntervalMs, Math.max(MIN_WAIT_MS, nextDueMs + 5));
    } catch (error) {
      failures += 1;
      if (failures === 1 || failures % 30 === 0) {
        logger.warn('scheduler: could not fire schedules; trying again', { error, failures });
      }
      return pollIntervalMs;
    }
  }

  async function run(first: number): Promise<void> {
    let wait = first;
    while (!stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, wait);
        function finish() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = finish;
      });
      if (stopped) break;
      wait = await look();
    }
  }

  return {
    async start() {
      if (done !== null) return;
      const first = await look();
      done = run(first);
    },
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
