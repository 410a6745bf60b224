import type { ReactNode } from 'react';
import type { Job } from '../../api/types.js';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format.js';
import { Link } from '../../router.js';

function Field({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** The job's options as a list of facts: queue, priority, attempts, times, backoff, worker. */
export function JobFacts({
  job,
  durationMs,
  now,
}: {
  readonly job: Job;
  readonly durationMs: number | null;
  readonly now: Date;
}) {
  return (
    <section className="panel" aria-labelledby="summary-title">
      <h2 id="summary-title" className="section-title">
        Options
      </h2>
      <dl className="facts">
        <Field label="Queue">
          <Link to={`/jobs?queue=${encodeURIComponent(job.queue)}`}>{job.queue}</Link>
        </Field>
        <Field label="Priority">{job.priority}</Field>
        <Field label="Attempts">
          {job.attempt} of {job.maxAttempts}
        </Field>
        <Field label="Created">
          <time dateTime={job.createdAt}>{formatDateTime(job.createdAt)}</time>
        </Field>
        <Field label="Run at">
          <time dateTime={job.runAt}>{formatDateTime(job.runAt)}</time>
          <span className="muted"> ({formatRelative(job.runAt, now)})</span>
        </Field>
        <Field label="Duration">{durationMs === null ? '—' : formatDuration(durationMs)}</Field>
        <Field label="Timeout">
          {job.timeoutMs === null ? 'none' : formatDuration(job.timeoutMs)}
        </Field>
        <Field label="Backoff">
          {job.backoff.kind === 'fixed'
            ? `fixed, ${formatDuration(job.backoff.delayMs)}`
            : `exponential from ${formatDuration(job.backoff.baseMs)} to ${formatDuration(job.backoff.maxMs)}`}
        </Field>
        {job.leaseOwner === null ? null : (
          <Field label="Worker">
            <span className="mono">{job.leaseOwner}</span>
          </Field>
        )}
        {job.uniqueKey === null ? null : (
          <Field label="Unique key">
            <span className="mono">{job.uniqueKey}</span>
          </Field>
        )}
        {job.concurrencyKey === null ? null : (
          <Field label="Concurrency key">
            <span className="mono">{job.concurrencyKey}</span>
          </Field>
        )}
        {job.tags.length === 0 ? null : <Field label="Tags">{job.tags.join(', ')}</Field>}
        {job.schedule === null ? null : (
          <Field label="Schedule">
            <Link to="/schedules">{job.schedule.name}</Link>
            <span className="muted">
              {job.schedule.tick === null
                ? ' (triggered by hand)'
                : ` (tick ${formatDateTime(job.schedule.tick)})`}
            </span>
          </Field>
        )}
        {job.traceId == null ? null : (
          <Field label="Trace">
            <span className="mono">{job.traceId}</span>
          </Field>
        )}
      </dl>
    </section>
  );
}
