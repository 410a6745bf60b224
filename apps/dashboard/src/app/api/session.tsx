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
import { type ApiClient, makeClient, read } from './client.js';
import { ApiError } from './errors.js';

/** Where the token is kept: this tab's session storage, never the URL. */
export const TOKEN_KEY = 'jobs.dashboard.token';

/** Whether the dashboard may talk to the API yet. */
export type AuthState = 'checking' | 'ready' | 'signin';

/** The API as the pages see it. */
export interface Session {
  /** The typed client, carrying the token when there is one. */
  readonly client: ApiClient;
  readonly auth: AuthState;
  /** True when a token is in use (so signing out means something). */
  readonly hasToken: boolean;
  /** Tries a token; resolves to an error message, or null once signed in. */
  signIn(token: string): Promise<string | null>;
  /** Forgets the token and shows the sign-in screen. */
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

/** The session of the page (inside `ApiProvider`). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside ApiProvider');
  return session;
}

function loadToken(storage: Storage | null): string | null {
  try {
    return storage?.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

function saveToken(storage: Storage | null, token: string | null): void {
  try {
    if (token === null) storage?.removeItem(TOKEN_KEY);
    else storage?.setItem(TOKEN_KEY, token);
  } catch {
    // Storage refused (private mode): the token stays in memory for this page.
  }
}

/** Settings of `ApiProvider`; tests pass their own fetch and storage. */
export interface ApiProviderProps {
  readonly children: ReactNode;
  /** The API's origin (default: the page's own). */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** Where the token is kept (default sessionStorage; null keeps it in memory only). */
  readonly storage?: Storage | null;
}

function defaultStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Holds the token and the typed client. On start it asks the API whether it needs a token;
 * any 401 answer later (a token revoked, a server restarted with another) shows the sign-in
 * screen again.
 */
export function ApiProvider({ children, baseUrl, fetch: fetchImpl, storage }: ApiProviderProps) {
  const store = useMemo(() => (storage === undefined ? defaultStorage() : storage), [storage]);
  const origin = baseUrl ?? window.location.origin;
  const [token, setToken] = useState<string | null>(() => loadToken(store));
  const [auth, setAuth] = useState<AuthState>('checking');
  const tokenRef = useRef(token);
  tokenRef.current = token;

  const rawFetch = useMemo<typeof fetch>(
    () => fetchImpl ?? ((input, init) => globalThis.fetch(input, init)),
    [fetchImpl],
  );
  const client = useMemo(() => {
    const guarded: typeof fetch = async (input, init) => {
      const response = await rawFetch(input, init);
      if (response.status === 401) setAuth('signin');
      return response;
    };
    return makeClient(origin, token, guarded);
  }, [origin, token, rawFetch]);

  useEffect(() => {
    if (auth !== 'checking') return;
    let active = true;
    const probe = makeClient(origin, tokenRef.current, rawFetch);
    read(probe.api.handlers.$get()).then(
      () => active && setAuth('ready'),
      (error: unknown) => {
        if (!active) return;
        // Down or broken: let the pages show that (and retry); only a 401 asks for a token.
        setAuth(error instanceof ApiError && error.status === 401 ? 'signin' : 'ready');
      },
    );
    return () => {
      active = false;
    };
  }, [auth, origin, rawFetch]);

  const signIn = useCallback(
    async (candidate: string): Promise<string | null> => {
      const trimmed = candidate.trim();
      if (trimmed === '') return 'Enter the API token.';
      try {
        await read(makeClient(origin, trimmed, rawFetch).api.handlers.$get());
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return 'The API refused this token.';
        if (error instanceof ApiError && error.isNetwork) return 'Cannot reach the API.';
        return error instanceof Error ? error.message : String(error);
      }
      saveToken(store, trimmed);
      setToken(trimmed);
      setAuth('ready');
      return null;
    },
    [origin, rawFetch, store],
  );

  const signOut = useCallback(() => {
    saveToken(store, null);
    setToken(null);
    setAuth('signin');
  }, [store]);

  const session = useMemo<Session>(
    () => ({ client, auth, hasToken: token !== null, signIn, signOut }),
    [client, auth, token, signIn, signOut],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
