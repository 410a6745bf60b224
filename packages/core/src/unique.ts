/**
 * Terminology.
 * - unique key: a caller's name for "this piece of work" (`uniqueKey`); a job asking for a key
 *   that is *held* is not inserted: the caller gets the holder back, `created: false`.
 * - holder: a job with the same key that counts under the new job's rule.
 * - rule: which holders count. Unfinished jobs always hold their key (a partial unique index
 *   enforces it); `uniqueStates` adds final states, and `uniqueFor` limits final holders to
 *   those created less than that many seconds ago.
 */
import { ValidationError } from './errors.js';
import { FINAL_STATES, JOB_STATES, type Job, type JobState } from './job.js';
import { checkNumber } from './validate.js';

/** A job as an enqueue returns it: the stored job and whether this enqueue created it. */
export interface EnqueuedJob extends Job {
  /**
   * True when this enqueue inserted the job; false when its unique key was held and the job is
   * the holder (unchanged: its own options, state and times).
   */
  readonly created: boolean;
}

/** The states that always hold a unique key: every state but the final ones. */
export const UNFINISHED_STATES: readonly JobState[] = JOB_STATES.filter(
  (state) => !(FINAL_STATES as readonly JobState[]).includes(state),
);

/** The states that count when `uniqueFor` is given without `uniqueStates`: unfinished and `completed`. */
export const UNIQUE_FOR_DEFAULT_STATES: readonly JobState[] = JOB_STATES.filter(
  (state) => state === 'completed' || UNFINISHED_STATES.includes(state),
);

/** Largest `uniqueFor`: one year, in seconds. */
export const MAX_UNIQUE_FOR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Which existing jobs with the same unique key make an enqueue return them instead of a new
 * job. Absent on a `NewJob`: the default rule (unfinished jobs only, no window).
 */
export interface UniqueRule {
  /** The states that count, in `JOB_STATES` order; always every unfinished state. */
  readonly states: readonly JobState[];
  /**
   * A finished job counts only when created less than this many milliseconds before the
   * enqueue (on the store's clock); null: whenever it was created. Unfinished jobs always count.
   */
  readonly forMs: number | null;
}

/** The default rule: one unfinished job per key. */
export const DEFAULT_UNIQUE_RULE: UniqueRule = Object.freeze({
  states: UNFINISHED_STATES,
  forMs: null,
});

/**
 * Checks `uniqueFor` (seconds) and `uniqueStates` as given to an enqueue (untyped) and returns
 * the rule, or undefined when neither was given (the default rule). Both need a `uniqueKey`.
 */
export function normalizeUniqueRule(
  uniqueKey: string | null,
  uniqueFor: unknown,
  uniqueStates: unknown,
): UniqueRule | undefined {
  if (uniqueFor === undefined && uniqueStates === undefined) return undefined;
  const field = uniqueFor === undefined ? 'uniqueStates' : 'uniqueFor';
  if (uniqueKey === null) throw new ValidationError(field, 'needs a uniqueKey');
  const forMs =
    uniqueFor === undefined
      ? null
      : Math.max(
          1,
          Math.round(
            checkNumber(uniqueFor, 'uniqueFor', {
              min: 0,
              max: MAX_UNIQUE_FOR_SECONDS,
              exclusiveMin: true,
            }) * 1000,
          ),
        );
  const listed =
    uniqueStates === undefined
      ? forMs === null
        ? UNFINISHED_STATES
        : UNIQUE_FOR_DEFAULT_STATES
      : checkStates(uniqueStates);
  const states = JOB_STATES.filter(
    (state) => listed.includes(state) || UNFINISHED_STATES.includes(state),
  );
  return { states, forMs };
}

function checkStates(value: unknown): readonly JobState[] {
  if (!Array.isArray(value)) {
    throw new ValidationError('uniqueStates', 'must be an array of job states');
  }
  if (value.length > JOB_STATES.length) {
    throw new ValidationError('uniqueStates', `must hold at most ${JOB_STATES.length}`);
  }
  return value.map((state: unknown, index) => {
    if (typeof state !== 'string' || !(JOB_STATES as readonly string[]).includes(state)) {
      throw new ValidationError(`uniqueStates.${index}`, `must be one of ${JOB_STATES.join(', ')}`);
    }
    return state as JobState;
  });
}

/**
 * Whether `holder` (a job with the same key) counts under `rule` at `now` (the store's clock):
 * in a counted state and, for a finished job under a window, created less than `forMs` ago.
 * The reference semantics; stores apply it in their own query (PostgreSQL: insert.ts).
 */
export function holdsUniqueKey(holder: Job, rule: UniqueRule, now: Date): boolean {
  if (!rule.states.includes(holder.state)) return false;
  if (UNFINISHED_STATES.includes(holder.state) || rule.forMs === null) return true;
  return holder.createdAt.getTime() > now.getTime() - rule.forMs;
}
