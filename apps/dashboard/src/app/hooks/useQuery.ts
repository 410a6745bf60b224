import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { createThrottle } from '../lib/throttle.js';
import type { LiveEvent } from '../live/connection.js';
import { useLiveEvents } from '../live/LiveProvider.js';

/** What `useQuery` gives a page. */
export interface Query<T> {
  /** The last data read (kept while reloading and after a failed reload). */
  readonly data: T | undefined;
  /** The error of the last read, if it failed. */
  readonly error: unknown;
  /** True while the first read for the current dependencies runs. */
  readonly loading: boolean;
  /** Reads again now. */
  reload(): void;
}

/** Settings of `useQuery`. */
export interface QueryOptions {
  /** Which events of the live stream make the data stale (default: none). */
  readonly live?: (event: Extract<LiveEvent, { type: 'change' }>) => boolean;
  /** Shortest time between two live reloads, in ms (default 750). */
  readonly gapMs?: number;
  /** Reads again every so many ms as well (default: never). */
  readonly pollMs?: number;
  /** False holds the query (default true). */
  readonly enabled?: boolean;
}

/**
 * Reads data with `load` when `deps` change, and again when the live stream tells of a
 * matching change (throttled), when it reconnects, or on `reload()`. A read that a newer one
 * replaced is aborted and its answer dropped.
 */
export function useQuery<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  options: QueryOptions = {},
): Query<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const current = useRef<AbortController | null>(null);
  const enabled = options.enabled ?? true;

  const run = useCallback(() => {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error, loading: false }));
      },
    );
  }, []);

  const throttle = useRef(createThrottle(() => run(), options.gapMs ?? 750));

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to read
  useEffect(() => {
    if (!enabled) return;
    setState((s) => ({ ...s, loading: true }));
    run();
    return () => current.current?.abort();
  }, [...deps, enabled]);

  useEffect(() => () => throttle.current.cancel(), []);

  useEffect(() => {
    if (!enabled || options.pollMs === undefined) return;
    const timer = setInterval(() => throttle.current.request(), options.pollMs);
    return () => clearInterval(timer);
  }, [enabled, options.pollMs]);

  const live = options.live;
  useLiveEvents((event) => {
    if (!enabled) return;
    if (event.type === 'ready' || live?.(event)) throttle.current.request();
  });

  return { ...state, reload: run };
}
