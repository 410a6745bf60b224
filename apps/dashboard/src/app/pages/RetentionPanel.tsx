import { read } from '../api/client.js';
import { useSession } from '../api/session.js';
import { ErrorState, Loading } from '../components/States.js';
import { useQuery } from '../hooks/useQuery.js';
import { formatCount, formatDateTime } from '../lib/format.js';
import { formatBytes, formatRetention, formatShare } from '../lib/retention.js';

const STATES = ['completed', 'failed', 'cancelled'] as const;

/** The overview's storage panel: the jobs table's size and dead rows, and the retention. */
export function RetentionPanel() {
  const { client } = useSession();
  const retention = useQuery(
    (signal) => read(client.api.retention.$get({}, { init: { signal } })),
    [client],
    { pollMs: 30_000 },
  );
  const data = retention.data;
  return (
    <section aria-labelledby="storage-title" className="panel">
      <h2 id="storage-title" className="section-title">
        Storage and retention
      </h2>
      {data === undefined ? (
        retention.error !== undefined ? (
          <ErrorState error={retention.error} onRetry={retention.reload} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          <dl className="storage-facts">
            <div>
              <dt>Jobs table</dt>
              <dd data-testid="table-size">{formatBytes(data.table.totalBytes)}</dd>
            </div>
            <div>
              <dt>of which indexes</dt>
              <dd>{formatBytes(data.table.indexBytes)}</dd>
            </div>
            <div>
              <dt>Rows (estimated)</dt>
              <dd>{formatCount(data.table.liveRows)}</dd>
            </div>
            <div>
              <dt>Dead rows</dt>
              <dd data-testid="dead-share">{formatShare(data.table.deadShare)}</dd>
            </div>
            <div>
              <dt>Last vacuum</dt>
              <dd>
                {data.table.lastVacuumAt === null
                  ? 'not yet'
                  : formatDateTime(data.table.lastVacuumAt)}
              </dd>
            </div>
          </dl>
          {data.table.autovacuum ? null : (
            <p className="storage-warning" data-testid="autovacuum-off">
              Autovacuum is off for the jobs table: the rows the pruner deletes are never reclaimed
              and the table keeps growing. Turn it on in PostgreSQL, or run VACUUM.
            </p>
          )}
          <div className="table-wrap">
            <table className="table table-cards retention-table" data-testid="retention">
              <caption className="visually-hidden">How long finished jobs are kept</caption>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  {STATES.map((state) => (
                    <th scope="col" key={state}>
                      {state[0]?.toUpperCase()}
                      {state.slice(1)} kept
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                <tr data-testid="retention-default">
                  <th scope="row" data-label="Queue">
                    every queue (default)
                  </th>
                  {STATES.map((state) => (
                    <td key={state} data-label={`${state} kept`}>
                      {formatRetention(data.defaults[state])}
                    </td>
                  ))}
                </tr>
                {data.queues.map((queue) => (
                  <tr key={queue.name} data-testid={`retention-${queue.name}`}>
                    <th scope="row" data-label="Queue">
                      {queue.name}
                    </th>
                    {STATES.map((state) => (
                      <td key={state} data-label={`${state} kept`}>
                        {state in queue.overrides ? (
                          <strong>{formatRetention(queue.effective[state])}</strong>
                        ) : (
                          formatRetention(queue.effective[state])
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted">
            Finished jobs older than this are deleted in small batches by the workers; bold values
            differ from the default.
          </p>
        </>
      )}
    </section>
  );
}
