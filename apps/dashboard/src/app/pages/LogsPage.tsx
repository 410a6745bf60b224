import { useId, useState } from 'react';
import { read } from '../api/client.js';
import { useSession } from '../api/session.js';
import { EmptyState, ErrorState, Loading, StaleBanner } from '../components/States.js';
import { useQuery } from '../hooks/useQuery.js';
import { formatDateTime, formatDuration, plural } from '../lib/format.js';
import { filterEntries, groupEntries, type LogEntry, newestFirst } from '../lib/logs.js';
import { Link } from '../router.js';
import '../components/badge.css';
import '../components/table.css';
import './logs.css';

const LINE_CHOICES = [200, 1000, 5000] as const;

const TITLES = { jobs: 'Job log', errors: 'Error log' } as const;

function JobRef({ fields }: { readonly fields: LogEntry['fields'] }) {
  return fields.id === undefined ? null : <Link to={`/jobs/${fields.id}`}>#{fields.id}</Link>;
}

function JobLogRow({ entry }: { readonly entry: LogEntry }) {
  const f = entry.fields;
  if (f.status === undefined) {
    return (
      <tr>
        <td colSpan={7} className="mono">
          {entry.head}
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <td data-label="Time" className="nowrap">
        {entry.at === null ? '' : <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>}
      </td>
      <td data-label="Job">
        <JobRef fields={f} />
      </td>
      <td data-label="Handler" className="mono">
        {f.handler}.{f.method}
      </td>
      <td data-label="Status">
        <span className={`badge badge-${f.status}`}>{f.status}</span>
      </td>
      <td data-label="Attempt" className="num">
        {f.attempt}
      </td>
      <td data-label="Duration" className="num">
        {f.duration_ms === undefined || !/^\d+$/.test(f.duration_ms)
          ? ''
          : formatDuration(Number(f.duration_ms))}
      </td>
      <td data-label="Worker" className="mono muted">
        {f.worker}
      </td>
    </tr>
  );
}

function ErrorLogItem({ entry }: { readonly entry: LogEntry }) {
  const f = entry.fields;
  return (
    <li className="error-entry">
      <div className="error-entry-head">
        {entry.at === null ? null : (
          <time dateTime={entry.at} className="muted">
            {formatDateTime(entry.at)}
          </time>
        )}{' '}
        <JobRef fields={f} />{' '}
        <span className="mono">{f.handler === undefined ? '' : `${f.handler}.${f.method}`}</span>{' '}
        {f.status === undefined ? null : (
          <span className={`badge badge-${f.status}`}>{f.status}</span>
        )}{' '}
        {f.attempt === undefined ? null : <span className="muted">attempt {f.attempt}</span>}
      </div>
      <p className="error-text">{f.error ?? entry.head}</p>
      {entry.detail.length === 0 ? null : (
        <details>
          <summary>Stack trace</summary>
          <pre className="code">{entry.detail.join('\n')}</pre>
        </details>
      )}
    </li>
  );
}

/** The job log and the error log (the original's two log screens): newest first, follow mode. */
export function LogsPage({ which }: { readonly which: 'jobs' | 'errors' }) {
  const { client } = useSession();
  const id = useId();
  const [lines, setLines] = useState<number>(200);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');

  const tail = useQuery(
    (signal) => {
      const options = { query: { lines: String(lines) } };
      const init = { init: { signal } };
      return read(
        which === 'jobs'
          ? client.api.logs.jobs.$get(options, init)
          : client.api.logs.errors.$get(options, init),
      );
    },
    [client, which, lines],
    follow ? { live: () => true, gapMs: 1000, pollMs: 5000 } : {},
  );

  const entries = tail.data === undefined ? [] : newestFirst(groupEntries(tail.data.lines));
  const shown = filterEntries(entries, query);

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Logs</h1>
      </div>
      <nav className="tabs" aria-label="Log files">
        <Link to="/logs/jobs" aria-current={which === 'jobs' ? 'page' : undefined}>
          Job log
        </Link>
        <Link to="/logs/errors" aria-current={which === 'errors' ? 'page' : undefined}>
          Error log
        </Link>
      </nav>
      <div className="toolbar">
        <div className="field field-grow">
          <label htmlFor={`${id}-filter`}>Find in the {TITLES[which].toLowerCase()}</label>
          <input
            id={`${id}-filter`}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-lines`}>Last lines</label>
          <select
            id={`${id}-lines`}
            value={lines}
            onChange={(e) => setLines(Number(e.target.value))}
          >
            {LINE_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString('en-US')}
              </option>
            ))}
          </select>
        </div>
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />{' '}
          Follow
        </label>
        <button type="button" onClick={tail.reload}>
          Refresh
        </button>
      </div>
      {tail.error !== undefined && tail.data !== undefined ? (
        <StaleBanner error={tail.error} onRetry={tail.reload} />
      ) : null}
      {tail.data === undefined ? (
        tail.error !== undefined ? (
          <ErrorState error={tail.error} onRetry={tail.reload} />
        ) : (
          <Loading />
        )
      ) : (
        <section aria-labelledby={`${id}-title`} className="panel">
          <h2 id={`${id}-title`} className="section-title">
            {TITLES[which]} <span className="muted mono">{tail.data.file}</span>
          </h2>
          <p className="muted" aria-live="polite">
            {plural(shown.length, 'entry', 'entries')}, newest first
            {follow ? '; following new lines' : ''}
            {tail.data.truncated
              ? `; older lines are in the file (showing the last ${lines.toLocaleString('en-US')})`
              : ''}
            .
          </p>
          {entries.length === 0 ? (
            <EmptyState title={`The ${TITLES[which].toLowerCase()} is empty`}>
              <p>
                {which === 'jobs'
                  ? 'Workers write a line here each time a job changes state.'
                  : 'Workers write each failed attempt here, with its stack.'}
              </p>
            </EmptyState>
          ) : shown.length === 0 ? (
            <p>Nothing matches “{query}”.</p>
          ) : which === 'jobs' ? (
            <div className="table-wrap">
              <table className="table table-cards log-table" data-testid="job-log">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Job</th>
                    <th scope="col">Handler</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Attempt
                    </th>
                    <th scope="col" className="num">
                      Duration
                    </th>
                    <th scope="col">Worker</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((entry) => (
                    <JobLogRow key={entry.index} entry={entry} />
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <ol className="error-log" data-testid="error-log">
              {shown.map((entry) => (
                <ErrorLogItem key={entry.index} entry={entry} />
              ))}
            </ol>
          )}
        </section>
      )}
    </>
  );
}
