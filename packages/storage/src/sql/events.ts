import type { StoreEvent } from '@jobs/core';
import type { Connection } from '../connection.js';

/** Reads one notification payload; anything unexpected is dropped, never thrown. */
export function parseEvent(payload: string): StoreEvent | null {
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null || !('type' in value)) return null;
    if (value.type === 'inserted') return { type: 'inserted' };
    if (
      value.type === 'cancelled' &&
      'ids' in value &&
      Array.isArray(value.ids) &&
      value.ids.every((id: unknown) => typeof id === 'string')
    ) {
      return { type: 'cancelled', ids: value.ids as string[] };
    }
  } catch {
    // not JSON: ignored
  }
  return null;
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
    const event = parseEvent(payload);
    if (event !== null) listener(event);
  });
  return () => subscription.unlisten();
}
