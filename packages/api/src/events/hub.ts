import type { StoreEvent } from '@jobs/core';
import type { EventSource } from '../deps.js';

/** Shares one store subscription among every open event stream of an app. */
export interface EventHub {
  /** Adds a listener (listening on the store first if none was); resolves to its remover. */
  subscribe(listener: (event: StoreEvent) => void): Promise<() => Promise<void>>;
  /** Listeners now, for tests and metrics. */
  readonly size: number;
}

/**
 * One LISTEN for all streams: it starts with the first subscriber and stops when the last one
 * leaves, so an idle API holds no listening connection.
 */
export function createEventHub(source: EventSource): EventHub {
  const listeners = new Set<(event: StoreEvent) => void>();
  let active: Promise<() => Promise<void>> | null = null;

  const dispatch = (event: StoreEvent) => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // One stream's failure must not stop the others.
      }
    }
  };

  return {
    get size() {
      return listeners.size;
    },
    async subscribe(listener) {
      listeners.add(listener);
      active ??= source(dispatch);
      const current = active;
      try {
        await current;
      } catch (error) {
        listeners.delete(listener);
        if (active === current) active = null;
        throw error;
      }
      let removed = false;
      return async () => {
        if (removed) return;
        removed = true;
        listeners.delete(listener);
        if (listeners.size > 0 || active !== current) return;
        active = null;
        await (await current)();
      };
    },
  };
}
