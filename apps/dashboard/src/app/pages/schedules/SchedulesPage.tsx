import { useState } from 'react';
import { read } from '../../api/client.js';
import { describeError } from '../../api/errors.js';
import { useSession } from '../../api/session.js';
import type { JobState, Schedule } from '../../api/types.js';
import { Notice } from '../../components/Notice.js';
import { StateBadge } from '../../components/StateBadge.js';
import { ErrorState, Loading, StaleBanner } from '../../components/States.js';
import { useNow } from '../../hooks/useNow.js';
import { useQuery } from '../../hooks/useQuery.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';
import { Link } from '../../router.js';
import '../../components/badge.css';
import '../../components/table.css';

const STATUS_HINTS: Record<Schedule['status'], string> = {
  active: 'active',
  paused: 'paused',
  removed: 'removed from config',
};

/** Schedules: next run, last run and its outcome, pause/resume and trigger now. */
export function SchedulesPage() {
  const { client } = useSession();
  const now = useNow(5000);
  const [notice, setNotice] = useState<{ text: string; tone: 'ok' | 'error' } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const schedules = useQuery(
    async (signal) => (await read(client.api.schedules.$get({}, { init: { signal } }))).schedules,
    [client],
    { live: () => true, gapMs: 1500, pollMs: 15_000 },
  );

  const act = async (schedule: Schedule, action: 'pause' | 'resume' | 'trigger') => {
    setBusy(schedule.name);
    const param = { param: { name: schedule.name } };
    try {
      if (action === 'trigger') {
        const { job } = await read(client.api.schedules[':name'].trigger.$post(param));
        setNotice({
          text: `Schedule ${schedule.name} triggered: job ${job.id} queued.`,
          tone: 'ok',
        });
      } else {
        const { schedule: changed } = await read(
          action === 'pause'
            ? client.api.schedules[':name'].pause.$post(param)
            : client.api.schedules[':name'].resume.$post(param),
        );
        setNotice({
          text: `Schedule ${changed.name} ${changed.status === 'paused' ? 'paused: it enqueues nothing until resumed' : 'resumed'}.`,
          tone: 'ok',
        });
      }
      schedules.reload();
    } catch (error) {
      setNotice({
        text: `Could not ${action} schedule ${schedule.name}: ${describeError(error)}`,
        tone: 'error',
      });
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Schedules</h1>
        <p className="muted">Recurring jobs, from jobs.config.ts or created through the API.</p>
      </div>
      <Notice
        message={notice?.text ?? null}
        tone={notice?.tone ?? 'ok'}
        onDismiss={() => setNotice(null)}
      />
      {schedules.error !== undefined && schedules.data !== undefined ? (
        <StaleBanner error={schedules.error} onRetry={schedules.reload} />
      ) : null}
      {schedules.data === undefined ? (
        schedules.error !== undefined ? (
          <ErrorState error={schedules.error} onRetry={schedules.reload} />
        ) : (
          <Loading />
        )
      ) : schedules.data.length === 0 ? (
        <p className="muted">
          No schedules yet: declare them under <code>schedules</code> in jobs.config.ts.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table table-cards schedules-table">
            <thead>
              <tr>
                <th scope="col">Schedule</th>
                <th scope="col">Cron</th>
                <th scope="col">Job</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {schedules.data.map((s) => (
                <tr key={s.name} data-testid={`schedule-${s.name}`}>
                  <th scope="row" data-label="Schedule">
                    {s.name}
                    {s.source === 'config' ? <span className="muted"> (config)</span> : null}
                  </th>
                  <td data-label="Cron">
                    <span className="mono">{s.cron}</span>
                    {s.timezone === 'UTC' ? null : <span className="muted"> {s.timezone}</span>}
                  </td>
                  <td data-label="Job">
                    <span className="mono">
                      {s.handler}.{s.method}
                    </span>
                  </td>
                  <td data-label="Next run" data-testid="next-run">
                    {s.status !== 'active' || s.nextTick === null ? (
                      '—'
                    ) : (
                      <time dateTime={s.nextTick} title={formatDateTime(s.nextTick)}>
                        {formatRelative(s.nextTick, now)}
                      </time>
                    )}
                  </td>
                  <td data-label="Last run" data-testid="last-run">
                    {s.lastJob === null ? (
                      '—'
                    ) : (
                      <>
                        <Link to={`/jobs/${s.lastJob.id}`}>
                          <time dateTime={s.lastJob.createdAt}>
                            {formatRelative(s.lastJob.createdAt, now)}
                          </time>
                        </Link>{' '}
                        <StateBadge state={s.lastJob.state as JobState} />
                      </>
                    )}
                    {s.lastError === null ? null : <div className="error-text">{s.lastError}</div>}
                  </td>
                  <td data-label="Status">
                    <span className={`badge badge-${s.status === 'active' ? 'active' : 'paused'}`}>
                      {STATUS_HINTS[s.status]}
                    </span>
                  </td>
                  <td data-label="Actions" className="actions">
                    {s.status === 'removed' ? null : (
                      <button
                        type="button"
                        disabled={busy === s.name}
                        onClick={() => void act(s, s.enabled ? 'pause' : 'resume')}
                        aria-label={`${s.enabled ? 'Pause' : 'Resume'} schedule ${s.name}`}
                      >
                        {s.enabled ? 'Pause' : 'Resume'}
                      </button>
                    )}{' '}
                    <button
                      type="button"
                      disabled={busy === s.name}
                      onClick={() => void act(s, 'trigger')}
                      aria-label={`Trigger now: schedule ${s.name}`}
                    >
                      Trigger now
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
