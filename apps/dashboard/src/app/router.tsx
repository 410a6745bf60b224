import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  type ReactNode,
  useEffect,
  useState,
  useSyncExternalStore,
} from 'react';

/** A page of the dashboard, as read from the URL's path. */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'jobs' }
  | { readonly page: 'job'; readonly id: string }
  | { readonly page: 'logs'; readonly which: 'jobs' | 'errors' }
  | { readonly page: 'new' }
  | { readonly page: 'schedules' }
  | { readonly page: 'not-found' };

/** The route of a path (history routing: the server answers index.html for every path). */
export function matchRoute(path: string): Route {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/') return { page: 'overview' };
  if (clean === '/jobs') return { page: 'jobs' };
  if (clean === '/jobs/new') return { page: 'new' };
  if (clean === '/schedules') return { page: 'schedules' };
  const job = /^\/jobs\/([1-9]\d{0,19})$/.exec(clean);
  if (job?.[1] !== undefined) return { page: 'job', id: job[1] };
  if (clean === '/logs' || clean === '/logs/jobs') return { page: 'logs', which: 'jobs' };
  if (clean === '/logs/errors') return { page: 'logs', which: 'errors' };
  return { page: 'not-found' };
}

const listeners = new Set<() => void>();
/** Counts navigations, so that one to the same URL with other state still re-renders. */
let version = 0;

function notify(): void {
  version += 1;
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', notify);
  };
}

function href(): string {
  return window.location.pathname + window.location.search;
}

function snapshot(): string {
  return `${version} ${href()}`;
}

/** Goes to `to` (a path with an optional query); `state` travels in history, not the URL. */
export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}): void {
  // Going where one is already is nothing, unless it drops state (a prefilled form).
  if (to === href() && options.state === undefined && window.history.state === null) return;
  if (options.replace) window.history.replaceState(options.state ?? null, '', to);
  else window.history.pushState(options.state ?? null, '', to);
  notify();
}

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams; state: unknown } {
  const current = useSyncExternalStore(subscribe, snapshot, snapshot);
  const [path = '/', query = ''] = current.slice(current.indexOf(' ') + 1).split('?');
  return { path, search: new URLSearchParams(query), state: window.history.state as unknown };
}

/** Moves focus to the page's main heading after a navigation, for keyboard and screen readers. */
export function useFocusOnNavigate(key: string): void {
  const [first, setFirst] = useState(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation (key)
  useEffect(() => {
    if (first) {
      setFirst(false);
      return;
    }
    const heading = document.querySelector<HTMLElement>('main h1');
    heading?.focus({ preventScroll: false });
  }, [key]);
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & {
  readonly to: string;
  readonly children: ReactNode;
  readonly state?: unknown;
};

/** An anchor that navigates without a reload (a modified click still opens a new tab). */
export function Link({ to, children, onClick, state, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(to, state === undefined ? {} : { state });
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
