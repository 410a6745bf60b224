import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { useSession } from '../api/session.js';
import { connectLive, type LiveEvent, type LiveStatus } from './connection.js';

interface Live {
  readonly status: LiveStatus;
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

const LiveContext = createContext<Live>({ status: 'offline', subscribe: () => () => {} });

/** Keeps one event stream open for the whole app and hands its events to the pages. */
export function LiveProvider({ children }: { readonly children: ReactNode }) {
  const { client, auth } = useSession();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const listeners = useRef(new Set<(event: LiveEvent) => void>());

  useEffect(() => {
    if (auth !== 'ready') return;
    return connectLive({
      open: async (signal) =>
        (await client.api.events.$get({ query: {} }, { init: { signal } })) as unknown as Response,
      onStatus: setStatus,
      onEvent: (event) => {
        for (const listener of [...listeners.current]) listener(event);
      },
    });
  }, [client, auth]);

  const subscribe = useCallback((listener: (event: LiveEvent) => void) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const live = useMemo<Live>(() => ({ status, subscribe }), [status, subscribe]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

/** Where the event stream is: live, connecting, or offline (reconnecting). */
export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

/** Calls `listener` (the latest one given) for every event of the stream. */
export function useLiveEvents(listener: (event: LiveEvent) => void): void {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}
