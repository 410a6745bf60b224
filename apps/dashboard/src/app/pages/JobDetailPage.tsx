import { type ReactNode, useState } from 'react';
import { read } from '../api/client.js';
import { ApiError, describeError } from '../api/errors.js';
import { useSession } from '../api/session.js';
import type { Job } from '../api/types.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { Notice } from '../components/Notice.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { StateBadge } from '../components/StateBadge.js';
import { EmptyState, ErrorState, Loading, StaleBanner } from '../components/States.js';
import { useNow } from '../hooks/useNow.js';
import { useQuery } from '../hooks/useQuery.js';
import { formatDateTime, formatDuration, formatRelative, jsonPretty } from '../lib/format.js';
import {
  canCancel,
  canDelete,
  canRetry,
  jobDurationMs,
  jobTimeline,
  progressPercent,
} from '../lib/job.js';
import { Link, navigate, useLocation } from '../router.js';
import type { EnqueueCopy } from './new-job/copy.js';

type Confirming = 'cancel' | 'delete' | null;

/** What "Enqueue a copy" puts in the New job form. */
function copyOf(job: Job): EnqueueCopy {
  return {
    handler: job.handler,
    method: job.method,
    params: job.params,
    queue: job.queue,
    priority: job.priority,
    retries: Math.max(0, job.maxAttempts - 1),
  };
}

function Field({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** One job: summary, actions, progress, params, timeline with errors, log lines, result. */
export function JobDetailPage({ id }: { readonly id: string }) {
  const { client } = useSession();
  const { state: historyState } = useLocation();
  const [deleted, setDeleted] = useState(false);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [busy, setBusy] = useState(false);
  const initialNotice =
    typeof historyState === 'object' && historyState !== null && 'notice' in historyState
      ? String((historyState as { notice: unknown }).notice)
      : null;
  const [notice, setNotice] = useState<{ text: string; tone: 'ok' | 'error' } | null>(
    initialNotice === null ? null : { text: initialNotice, tone: 'ok' },
  );

  const job = useQuery(
    (signal) => read(client.api.jobs[':id'].$get({ param: { id } }, { init: { signal } })),
    [client, id],
    {
      live: (event) => {
        if (!event.ids.includes(id)) return false;
        if (event.change === 'deleted') setDeleted(true);
        return event.change !== 'deleted';
      },
      gapMs: 300,
    },
  );
  const data = job.data;
  const now = useNow(1000, data?.state === 'running');

  const act = async (action: 'cancel' | 'retry' | 'delete') => {
    setBusy(true);
    try {
      const param = { param: { id } };
      if (action === 'cancel') {
        await read(client.api.jobs[':id'].cancel.$post(param));
        setNotice({ text: `Job #${id} cancelled.`, tone: 'ok' });
      } else if (action === 'retry') {
        await read(client.api.jobs[':id'].retry.$post(param));
        setNotice({ text: `Job #${id} queued to run again.`, tone: 'ok' });
      } else {
        await read(client.api.jobs[':id'].$delete(param));
        navigate('/jobs', { state: { notice: `Deleted job #${id}.` } });
        return;
      }
      job.reload();
    } catch (error) {
      setNotice({ text: `Could not ${action} job #${id}: ${describeError(error)}`, tone: 'error' });
      job.reload();
    } finally {
      setBusy(false);
      setConfirming(null);
    }
  };

  const notFound = job.error instanceof ApiError && job.error.status === 404;
  if (deleted || (notFound && data === undefined)) {
    return (
      <>
        <div className="page-head">
          <h1 tabIndex={-1}>Job #{id}</h1>
        </div>
        <EmptyState title={deleted ? 'This job was deleted' : 'No such job'}>
          <p>
            {deleted
              ? 'It was deleted while you were looking at it.'
              : `There is no job #${id}: it may have been deleted.`}{' '}
            <Link to="/jobs">Back to the jobs</Link>
          </p>
        </EmptyState>
      </>
    );
  }
  if (data === undefined) {
    return (
      <>
        <div className="page-head">
          <h1 tabIndex={-1}>Job #{id}</h1>
        </div>
        {job.error !== undefined ? (
          <ErrorState error={job.error} onRetry={job.reload} />
        ) : (
          <Loading />
        )}
      </>
    );
  }

  const percent = progressPercent(data.progress);
  const duration = jobDurationMs(data, now);
  const timeline = jobTimeline(data);
  const hasResult = data.result !== null && data.result !== undefined;

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>
          Job #{data.id} <StateBadge state={data.state} />
        </h1>
        <div className="actions">
          <button
            type="button"
            disabled={busy || !canCancel(data.state)}
            onClick={() => setConfirming('cancel')}
          >
            Cancel job
          </button>
          <button
            type="button"
            disabled={busy || !canRetry(data.state)}
            onClick={() => void act('retry')}
          >
            Retry
          </button>
          <button
            type="button"
            onClick={() => navigate('/jobs/new', { state: { copy: copyOf(data) } })}
          >
            Enqueue a copy
          </button>
          <button
            type="button"
            className="danger"
            disabled={busy || !canDelete(data.state)}
            onClick={() => setConfirming('delete')}
          >
            Delete
          </button>
        </div>
      </div>
      <p className="subtitle mono">
        {data.handler}.{data.method}
      </p>
      <Notice
        message={notice?.text ?? null}
        tone={notice?.tone ?? 'ok'}
        onDismiss={() => setNotice(null)}
      />
      {job.error !== undefined ? <StaleBanner error={job.error} onRetry={job.reload} /> : null}

      {data.state === 'running' || percent !== null ? (
        <section className="panel" aria-labelledby="progress-title">
          <h2 id="progress-title" className="section-title">
            Progress
          </h2>
          {percent === null ? (
            <p className="muted">
              Running for {duration === null ? '' : formatDuration(duration)}; no progress reported
              {data.progress === null ? '' : `: ${jsonPretty(data.progress)}`}.
            </p>
          ) : (
            <ProgressBar percent={percent} label={`Progress of job ${data.id}`} />
          )}
        </section>
      ) : null}

      <div className="detail-grid">
        <section className="panel" aria-labelledby="summary-title">
          <h2 id="summary-title" className="section-title">
            Options
          </h2>
          <dl className="facts">
            <Field label="Queue">
              <Link to={`/jobs?queue=${encodeURIComponent(data.queue)}`}>{data.queue}</Link>
            </Field>
            <Field label="Priority">{data.priority}</Field>
            <Field label="Attempts">
              {data.attempt} of {data.maxAttempts}
            </Field>
            <Field label="Created">
              <time dateTime={data.createdAt}>{formatDateTime(data.createdAt)}</time>
            </Field>
            <Field label="Run at">
              <time dateTime={data.runAt}>{formatDateTime(data.runAt)}</time>
              <span className="muted"> ({formatRelative(data.runAt, now)})</span>
            </Field>
            <Field label="Duration">{duration === null ? '—' : formatDuration(duration)}</Field>
            <Field label="Timeout">
              {data.timeoutMs === null ? 'none' : formatDuration(data.timeoutMs)}
            </Field>
            <Field label="Backoff">
              {data.backoff.kind === 'fixed'
                ? `fixed, ${formatDuration(data.backoff.delayMs)}`
                : `exponential from ${formatDuration(data.backoff.baseMs)} to ${formatDuration(data.backoff.maxMs)}`}
            </Field>
            {data.leaseOwner === null ? null : (
              <Field label="Worker">
                <span className="mono">{data.leaseOwner}</span>
              </Field>
            )}
            {data.uniqueKey === null ? null : (
              <Field label="Unique key">
                <span className="mono">{data.uniqueKey}</span>
              </Field>
            )}
            {data.tags.length === 0 ? null : <Field label="Tags">{data.tags.join(', ')}</Field>}
          </dl>
        </section>
        <section className="panel" aria-labelledby="params-title">
          <h2 id="params-title" className="section-title">
            Params
          </h2>
          <pre className="code" data-testid="job-params">
            {jsonPretty(data.params)}
          </pre>
          {hasResult ? (
            <>
              <h2 className="section-title">Result</h2>
              <pre className="code" data-testid="job-result">
                {jsonPretty(data.result)}
              </pre>
            </>
          ) : null}
        </section>
      </div>

      <section className="panel" aria-labelledby="timeline-title">
        <h2 id="timeline-title" className="section-title">
          Timeline
        </h2>
        <ol className="timeline">
          {timeline.map((entry) => (
            <li
              key={`${entry.kind}-${entry.at}-${entry.title}`}
              className={`timeline-${entry.kind}${entry.state === undefined ? '' : ` timeline-finished-${entry.state}`}`}
            >
              <div className="timeline-head">
                <strong>{entry.title}</strong>{' '}
                {entry.kind === 'dropped-errors' ? null : (
                  <time dateTime={entry.at} className="muted">
                    {formatDateTime(entry.at)}
                  </time>
                )}
                {entry.worker === undefined ? null : (
                  <span className="muted mono"> · {entry.worker}</span>
                )}
              </div>
              {entry.error === undefined ? null : (
                <div className="timeline-error">
                  <p className="error-text">
                    {entry.error.name}: {entry.error.message}
                  </p>
                  {entry.error.stack === undefined ? null : (
                    <details>
                      <summary>Stack trace</summary>
                      <pre className="code">{entry.error.stack}</pre>
                    </details>
                  )}
                </div>
              )}
            </li>
          ))}
        </ol>
      </section>

      <section className="panel" aria-labelledby="log-title">
        <h2 id="log-title" className="section-title">
          Log lines
        </h2>
        {data.logs.length === 0 ? (
          <p className="muted">The handler logged nothing (it can, with jobContext().log()).</p>
        ) : (
          <ol className="log-lines" data-testid="job-logs">
            {data.logs.map((line, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: log lines only grow at the end
              <li key={index}>
                <time dateTime={line.at} className="muted">
                  {formatDateTime(line.at)}
                </time>{' '}
                <span className="mono">{line.line}</span>
              </li>
            ))}
          </ol>
        )}
      </section>

      <ConfirmDialog
        open={confirming !== null}
        title={confirming === 'delete' ? `Delete job #${id}?` : `Cancel job #${id}?`}
        confirmLabel={confirming === 'delete' ? 'Delete 1 job' : 'Cancel 1 job'}
        danger
        busy={busy}
        onConfirm={() => confirming !== null && void act(confirming)}
        onClose={() => setConfirming(null)}
      >
        <p>
          {confirming === 'delete'
            ? 'The job and its history are removed for good.'
            : data.state === 'running'
              ? 'The worker running it is told to stop; it ends cancelled.'
              : 'It will not run. You can retry it later.'}
        </p>
      </ConfirmDialog>
    </>
  );
}
