import type { JobState } from './job.js';
import type { JobEventType } from './states.js';

/** The states each event may start from; storage uses these in its guards. */
export const TRANSITION_SOURCES: Readonly<Record<JobEventType, readonly JobState[]>> =
  Object.freeze({
    claim: ['scheduled', 'queued', 'retrying'],
    complete: ['running'],
    fail: ['running'],
    cancel: ['waiting', 'scheduled', 'queued', 'retrying', 'running'],
    'retry-now': ['failed', 'cancelled', 'retrying', 'scheduled'],
    'lease-expired': ['running'],
    'release-on-shutdown': ['running'],
  });

/** How a person says an event: the verb (`retry`) and its participle (`retried`). */
interface EventWords {
  readonly verb: string;
  readonly done: string;
}

/** Each event in a user's words: `retry-now` is "retry", `lease-expired` is "rescue". */
const EVENT_WORDS: Readonly<Record<JobEventType, EventWords>> = Object.freeze({
  claim: { verb: 'claim', done: 'claimed' },
  complete: { verb: 'complete', done: 'completed' },
  fail: { verb: 'fail', done: 'failed' },
  cancel: { verb: 'cancel', done: 'cancelled' },
  'retry-now': { verb: 'retry', done: 'retried' },
  'lease-expired': { verb: 'rescue', done: 'rescued' },
  'release-on-shutdown': { verb: 'release', done: 'released' },
});

function isEventType(event: string): event is JobEventType {
  return Object.hasOwn(EVENT_WORDS, event);
}

/** The verb a person uses for `event` (`retry` for `retry-now`); other actions as given. */
export function eventVerb(event: string): string {
  return isEventType(event) ? EVENT_WORDS[event].verb : event;
}

/**
 * The rule `event` follows, in words: `only failed, cancelled, retrying or scheduled jobs can be
 * retried`; undefined for an action that is not a state-machine event (`delete`).
 */
export function transitionRule(event: string): string | undefined {
  if (!isEventType(event)) return undefined;
  const sources = TRANSITION_SOURCES[event];
  const states =
    sources.length === 1
      ? (sources[0] ?? '')
      : `${sources.slice(0, -1).join(', ')} or ${sources.at(-1) ?? ''}`;
  return `only ${states} jobs can be ${EVENT_WORDS[event].done}`;
}
