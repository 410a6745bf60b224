import { useState } from 'react';
import { read } from '../api/client.js';
import { describeError } from '../api/errors.js';
import { useSession } from '../api/session.js';
import { JOB_STATES, type Queue } from '../api/types.js';
import { Notice } from '../components/Notice.js';
import { QueueLimits } from '../components/QueueLimits.js';
import { ErrorState, Loading, StaleBanner } from '../components/States.js';
import { ThroughputChart } from '../components/ThroughputChart.js';
import { useNow } from '../hooks/useNow.js';
import { useQuery } from '../hooks/useQuery.js';
import { formatCount, formatWait } from '../lib/format.js';
import { Link } from '../router.js';
import { RetentionPanel } from './RetentionPanel.js';
import '../components/badge.css';
import '../components/table.css';
import './overview.css';

const STATE_HINTS: Record<(typeof JOB_STATES)[number], string> = {
  waiting: 'waiting for other jobs',
  scheduled: 'waiting for their time',
  queued: 'ready to run',
  running: 'being run now',
  retrying: 'failed, will run again',
  completed: 'done',
  failed: 'out of attempts',
  cancelled: 'stopped by hand',
};

/** A queue with the run time of its longest-waiting job. */
interface QueueRow extends Queue {
  readonly oldestWaitingSince: string | null;
}

/** Overview: counts by state, throughput chart, queues with pause and resume. */
export function OverviewPage() {
  const { client } = useSession();
  const now = useNow(5000);
  const [notice, setNotice] = useState<{ text: string; tone: 'ok' | 'error' } | null>(null);
  const [busyQueue, setBusyQueue] = useState<string | null>(null);

  const stats = useQuery(
    (signal) => read(client.api.stats.$get({ query: { window: '60' } }, { init: { signal } })),
    [client],
    { live: () => true, gapMs: 1500, pollMs: 30_000 },
  );
  const queues = useQuery(
    async (signal): Promise<QueueRow[]> => {
      const { queues: list } = await read(client.api.queues.$get({}, { init: { signal } }));
      return Promise.all(
        list.map(async (queue) => {
          if (queue.byState.queued === 0) return { ...queue, oldestWaitingSince: null };
          const page = await read(
            client.api.jobs.$get(
              { query: { queue: queue.name, state: 'queued', sort: 'oldest', limit: '1' } },
              { init: { signal } },
            ),
          );
          return { ...queue, oldestWaitingSince: page.jobs[0]?.runAt ?? null };
        }),
      );
    },
    [client],
    { live: () => true, gapMs: 1500, pollMs: 30_000 },
  );

  const toggle = async (queue: QueueRow) => {
    setBusyQueue(queue.name);
    try {
      const param = { param: { name: queue.name } };
      // A listed queue has jobs or is paused, so it exists: no need to ask for its creation.
      const result = queue.paused
        ? await read(client.api.queues[':name'].resume.$post(param))
        : await read(client.api.queues[':name'].pause.$post({ ...param, query: {} }));
      setNotice({
        text: `Queue ${result.queue.name} ${result.queue.paused ? 'paused: workers stop claiming from it' : 'resumed'}.`,
        tone: 'ok',
      });
      queues.reload();
    } catch (error) {
      setNotice({
        text: `Could not change queue ${queue.name}: ${describeError(error)}`,
        tone: 'error',
      });
    } finally {
      setBusyQueue(null);
    }
  };

  const total =
    stats.data === undefined
      ? 0
      : JOB_STATES.reduce((n, s) => n + (stats.data?.byState[s] ?? 0), 0);

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Overview</h1>
        {stats.data === undefined ? null : (
          <p className="muted">
            {formatCount(total)} {total === 1 ? 'job' : 'jobs'} stored
          </p>
        )}
      </div>
      <Notice
        message={notice?.text ?? null}
        tone={notice?.tone ?? 'ok'}
        onDismiss={() => setNotice(null)}
      />
      {stats.error !== undefined && stats.data !== undefined ? (
        <StaleBanner error={stats.error} onRetry={stats.reload} />
      ) : null}

      <section aria-labelledby="counts-title">
        <h2 id="counts-title" className="section-title">
          Jobs by state
        </h2>
        {stats.data === undefined ? (
          stats.error !== undefined ? (
            <ErrorState error={stats.error} onRetry={stats.reload} />
          ) : (
            <Loading />
          )
        ) : (
          <ul className="counts">
            {JOB_STATES.map((state) => (
              <li key={state}>
                <Link
                  to={`/jobs?state=${state}`}
                  className={`count-card count-${state}`}
                  data-testid={`count-${state}`}
                >
                  <span className="count-value">
                    {formatCount(stats.data?.byState[state] ?? 0)}
                  </span>
                  <span className="count-label">{state}</span>
                  <span className="count-hint">{STATE_HINTS[state]}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="chart-title" className="panel">
        <h2 id="chart-title" className="section-title">
          Finished per minute, last hour
        </h2>
        {stats.data === undefined ? (
          stats.error !== undefined ? null : (
            <Loading />
          )
        ) : (
          <ThroughputChart points={stats.data.throughput.points} />
        )}
      </section>

      <section aria-labelledby="queues-title" className="panel">
        <h2 id="queues-title" className="section-title">
          Queues
        </h2>
        {queues.data === undefined ? (
          queues.error !== undefined ? (
            <ErrorState error={queues.error} onRetry={queues.reload} />
          ) : (
            <Loading />
          )
        ) : queues.data.length === 0 ? (
          <p className="muted">
            No queues yet: a queue appears with its first job, or when it is paused or limited.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table table-cards queues-table">
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col" className="num">
                    Waiting
                  </th>
                  <th scope="col" className="num">
                    Running
                  </th>
                  <th scope="col" className="num">
                    Scheduled
                  </th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col">Oldest wait</th>
                  <th scope="col">Limits</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {queues.data.map((queue) => (
                  <tr key={queue.name} data-testid={`queue-${queue.name}`}>
                    <th scope="row" data-label="Queue">
                      <Link to={`/jobs?queue=${encodeURIComponent(queue.name)}`}>{queue.name}</Link>
                    </th>
                    <td className="num" data-label="Waiting">
                      {formatCount(queue.byState.queued)}
                    </td>
                    <td className="num" data-label="Running">
                      {formatCount(queue.byState.running)}
                    </td>
                    <td className="num" data-label="Scheduled">
                      {formatCount(queue.byState.scheduled + queue.byState.retrying)}
                    </td>
                    <td className="num" data-label="Failed">
                      {queue.byState.failed === 0 ? (
                        '0'
                      ) : (
                        <Link to={`/jobs?state=failed&queue=${encodeURIComponent(queue.name)}`}>
                          {formatCount(queue.byState.failed)}
                        </Link>
                      )}
                    </td>
                    <td data-label="Oldest wait">
                      {queue.oldestWaitingSince === null
                        ? '—'
                        : formatWait(now.getTime() - new Date(queue.oldestWaitingSince).getTime())}
                    </td>
                    <td data-label="Limits">
                      <QueueLimits queue={queue} />
                    </td>
                    <td data-label="Status">
                      {queue.paused ? (
                        <span className="badge badge-paused">paused</span>
                      ) : (
                        <span className="badge badge-active">active</span>
                      )}
                    </td>
                    <td data-label="Actions">
                      <button
                        type="button"
                        disabled={busyQueue === queue.name}
                        onClick={() => void toggle(queue)}
                        aria-label={`${queue.paused ? 'Resume' : 'Pause'} queue ${queue.name}`}
                      >
                        {queue.paused ? 'Resume' : 'Pause'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <RetentionPanel />
    </>
  );
}
