import { JOB_STATES, type JobChange, type JobState, type StoreEvent } from '@jobs/core';
import type { Connection } from '../connection.js';
import type { ChangeOp } from './notify.js';

/** What each announcing statement means for listeners; `null` change: the new state says it. */
const OPS: Readonly<
  Record<ChangeOp, { readonly change: JobChange | null; readonly wakes: boolean }>
> = {
  claim: { change: 'started', wakes: false },
  complete: { change: 'completed', wakes: false },
  fail: { change: null, wakes: false },
  release: { change: 'released', wakes: true },
  cancel: { change: 'cancelled', wakes: false },
  retry: { change: 'retried', wakes: true },
  progress: { change: 'progress', wakes: false },
  delete: { change: 'deleted', wakes: false },
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIdList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((id: unknown) => typeof id === 'string' && /^[1-9]\d{0,18}$/.test(id))
  );
}

/** The `states` object of a payload as (state, ids) pairs; malformed entries are dropped. */
function stateGroups(value: unknown): [JobState, string[]][] {
  if (!isObject(value)) return [];
  const groups: [JobState, string[]][] = [];
  for (const state of JOB_STATES) {
    const ids = value[state];
    if (isIdList(ids)) groups.push([state, ids]);
  }
  return groups;
}

function changeOf(state: JobState): JobChange | null {
  return state === 'failed' || state === 'retrying' ? state : null;
}

/**
 * Reads one notification payload into the events it stands for (none when it is not one of
 * ours): `inserted` also yields `created` changes, a `changed` payload yields one event per
 * state, plus the workers' `cancelled` and `inserted` signals where the change calls for them.
 */
export function parseEvents(payload: string): StoreEvent[] {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return [];
  }
  if (!isObject(value)) return [];
  if (value.type === 'inserted') {
    return [
      { type: 'inserted' },
      ...stateGroups(value.states).map(
        ([state, ids]): StoreEvent => ({ type: 'changed', change: 'created', state, ids }),
      ),
    ];
  }
  if (value.type === 'cancelled') {
    return isIdList(value.ids) ? [{ type: 'cancelled', ids: value.ids }] : [];
  }
  if (value.type !== 'changed' || typeof value.op !== 'string' || !Object.hasOwn(OPS, value.op)) {
    return [];
  }
  const op = OPS[value.op as ChangeOp];
  const events: StoreEvent[] = [];
  for (const [state, ids] of stateGroups(value.states)) {
    const change = op.change ?? changeOf(state);
    if (change === null) continue;
    if (value.op === 'cancel') events.push({ type: 'cancelled', ids });
    events.push({ type: 'changed', change, state, ids });
  }
  if (op.wakes && events.length > 0) events.unshift({ type: 'inserted' });
  return events;
}

/**
 * LISTENs on the schema's channel over a dedicated connection that the driver re-opens (and
 * re-LISTENs) after it drops; resolves to a function that stops listening.
 */
export async function listenEvents(
  c: Connection,
  listener: (event: StoreEvent) => void,
): Promise<() => Promise<void>> {
  const subscription = await c.sql.listen(c.channel, (payload) => {
    for (const event of parseEvents(payload)) listener(event);
  });
  return () => subscription.unlisten();
}
