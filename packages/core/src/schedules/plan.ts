import { tickStepper } from './cron.js';

/** What happens to ticks no daemon enqueued on time (all daemons down, or a long pause). */
export const CATCH_UP_POLICIES = ['none', 'last', 'all'] as const;

/**
 * - `none`: missed ticks are skipped;
 * - `last`: only the most recent missed tick is enqueued (the default);
 * - `all`: every missed tick is enqueued, up to `MAX_CATCH_UP` (the most recent ones).
 */
export type CatchUp = (typeof CATCH_UP_POLICIES)[number];

/** The catch-up of a schedule that names none. */
export const DEFAULT_CATCH_UP: CatchUp = 'last';

/** The most ticks `all` enqueues at once after a downtime. */
export const MAX_CATCH_UP = 100;

/**
 * How late a tick may be enqueued and still count as on time (not missed), in milliseconds:
 * a scheduler woken late, or another daemon taking over from one that died, enqueues it
 * whatever the catch-up policy.
 */
export const ON_TIME_MS = 2_000;

/** Ticks looked at before the planner jumps ahead over a long downtime. */
const SCAN_BUDGET = 2_000;

/** What a schedule's row says, as far as planning goes. */
export interface TickState {
  readonly cron: string;
  readonly timezone: string;
  readonly catchUp: CatchUp;
  /** The first tick not yet handled (null: the expression has no more). */
  readonly nextTick: Date | null;
}

/** What to do now: the ticks to enqueue, how many were skipped, and the next tick to wait for. */
export interface TickPlan {
  /** Ticks to enqueue a job for, oldest first. */
  readonly enqueue: readonly Date[];
  /** Due ticks that are not enqueued (by the catch-up policy or its cap). */
  readonly skipped: number;
  /** The last due tick handled (enqueued or skipped); null when none was due. */
  readonly lastTick: Date | null;
  /** The first tick after `now`; null when the expression has no more. */
  readonly nextTick: Date | null;
}

/**
 * Decides which due ticks of a schedule to enqueue at `now` (pure: the database's clock is
 * passed in). Due ticks are those from `state.nextTick` up to `now`. A tick at most
 * `ON_TIME_MS` old is on time and always enqueued; older ones are missed and follow
 * `state.catchUp`.
 */
export function planTicks(state: TickState, now: Date): TickPlan {
  const step = tickStepper(state.cron, state.timezone);
  const due: Date[] = [];
  let skipped = 0;
  let tick = state.nextTick;
  let scanned = 0;
  while (tick !== null && tick.getTime() <= now.getTime()) {
    due.push(tick);
    if (due.length > MAX_CATCH_UP + 1) {
      // Only the most recent ticks can be enqueued: keep a window of them.
      due.shift();
      skipped += 1;
    }
    scanned += 1;
    if (scanned === SCAN_BUDGET && due.length > 1) {
      // A long downtime of a frequent schedule: jump to the stretch that can still be
      // enqueued (the last MAX_CATCH_UP ticks, estimated from the spacing seen so far).
      const first = due[0] as Date;
      const gap = (tick.getTime() - first.getTime()) / (due.length - 1);
      const jumpFrom = new Date(now.getTime() - ON_TIME_MS - gap * (MAX_CATCH_UP + 1));
      const jumped = step(jumpFrom);
      if (jumped !== null && jumped.getTime() > tick.getTime()) {
        // The ticks jumped over are skipped; their number is estimated from the spacing.
        skipped +=
          due.length + Math.max(0, Math.round((jumped.getTime() - tick.getTime()) / gap) - 1);
        due.length = 0;
        tick = jumped;
        continue;
      }
    }
    tick = step(tick);
  }
  const onTimeFrom = now.getTime() - ON_TIME_MS;
  const missed = due.filter((t) => t.getTime() < onTimeFrom);
  const onTime = due.filter((t) => t.getTime() >= onTimeFrom);
  let kept: Date[];
  switch (state.catchUp) {
    case 'none':
      kept = [];
      break;
    case 'last':
      kept = missed.slice(-1);
      break;
    case 'all':
      kept = missed.slice(-Math.max(0, MAX_CATCH_UP - onTime.length));
      break;
  }
  const enqueue = [...kept, ...onTime];
  return {
    enqueue,
    skipped: skipped + due.length - enqueue.length,
    lastTick: due.at(-1) ?? null,
    nextTick: tick,
  };
}
