import { ApiProvider, type ApiProviderProps, useSession } from './api/session.js';
import { Loading } from './components/States.js';
import { LiveProvider, useLiveStatus } from './live/LiveProvider.js';
import { JobDetailPage } from './pages/job/JobDetailPage.js';
import { JobsPage } from './pages/jobs/JobsPage.js';
import { LogsPage } from './pages/LogsPage.js';
import { NewJobPage } from './pages/new-job/NewJobPage.js';
import { OverviewPage } from './pages/OverviewPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { SchedulesPage } from './pages/schedules/SchedulesPage.js';
import { Link, matchRoute, type Route, useFocusOnNavigate, useLocation } from './router.js';
import './shell.css';
import './pages/sign-in.css';

const NAV = [
  { to: '/', label: 'Overview', pages: ['overview'] },
  { to: '/jobs', label: 'Jobs', pages: ['jobs', 'job'] },
  { to: '/schedules', label: 'Schedules', pages: ['schedules'] },
  { to: '/logs/jobs', label: 'Logs', pages: ['logs'] },
  { to: '/jobs/new', label: 'New job', pages: ['new'] },
] as const;

function LiveIndicator() {
  const status = useLiveStatus();
  const text =
    status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span
      className={`live live-${status}`}
      role="status"
      aria-live="polite"
      data-testid="live-status"
    >
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function Page({ route, state }: { readonly route: Route; readonly state: unknown }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'jobs':
      return <JobsPage />;
    case 'job':
      return <JobDetailPage key={route.id} id={route.id} />;
    case 'schedules':
      return <SchedulesPage />;
    case 'logs':
      return <LogsPage key={route.which} which={route.which} />;
    case 'new': {
      // A copy of a job and a blank form are different forms.
      const copy = typeof state === 'object' && state !== null && 'copy' in state;
      return <NewJobPage key={copy ? 'copy' : 'blank'} />;
    }
    default:
      return (
        <>
          <div className="page-head">
            <h1 tabIndex={-1}>Page not found</h1>
          </div>
          <p>
            Nothing here. <Link to="/">Go to the overview</Link>.
          </p>
        </>
      );
  }
}

function Shell() {
  const { auth, hasToken, signOut } = useSession();
  const { path, state } = useLocation();
  const route = matchRoute(path);
  useFocusOnNavigate(path);

  if (auth === 'checking') {
    return (
      <main id="main" className="sign-in">
        <Loading label="Connecting to the API…" />
      </main>
    );
  }
  if (auth === 'signin') return <SignInPage />;

  return (
    <LiveProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Jobs
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  aria-current={
                    (item.pages as readonly string[]).includes(route.page) ? 'page' : undefined
                  }
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          <LiveIndicator />
          {hasToken ? (
            <button type="button" className="link-button" onClick={signOut}>
              Sign out
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" className="content">
        <Page route={route} state={state} />
      </main>
    </LiveProvider>
  );
}

/** The dashboard: session (token, typed client), live events, and the pages. */
export function App(props: Omit<ApiProviderProps, 'children'>) {
  return (
    <ApiProvider {...props}>
      <Shell />
    </ApiProvider>
  );
}
