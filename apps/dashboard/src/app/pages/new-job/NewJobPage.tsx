import { read } from '../../api/client.js';
import { useSession } from '../../api/session.js';
import { EmptyState, ErrorState, Loading } from '../../components/States.js';
import { useQuery } from '../../hooks/useQuery.js';
import { EnqueueForm } from './EnqueueForm.js';

/** The New job page: loads the registry, then shows the form. */
export function NewJobPage() {
  const { client } = useSession();
  const handlers = useQuery(
    (signal) => read(client.api.handlers.$get({}, { init: { signal } })),
    [client],
  );
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>New job</h1>
      </div>
      {handlers.data === undefined ? (
        handlers.error !== undefined ? (
          <ErrorState error={handlers.error} onRetry={handlers.reload} />
        ) : (
          <Loading />
        )
      ) : handlers.data.handlers.length === 0 ? (
        <EmptyState title="No handlers registered">
          <p>
            Register handlers with defineHandlers() in jobs.config.ts; only they can be enqueued.
          </p>
        </EmptyState>
      ) : (
        <EnqueueForm handlers={handlers.data.handlers} />
      )}
    </>
  );
}
