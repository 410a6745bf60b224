import { useRef, useState } from 'react';
import { read } from '../../api/client.js';
import { ApiError, describeError } from '../../api/errors.js';
import { useSession } from '../../api/session.js';
import { Notice } from '../../components/Notice.js';
import { StateBadge } from '../../components/StateBadge.js';
import { ErrorState, Loading, StaleBanner } from '../../components/States.js';
import { useNow } from '../../hooks/useNow.js';
import { useQuery } from '../../hooks/useQuery.js';
import { jobDurationMs } from '../../lib/job.js';
import { navigate, useLocation } from '../../router.js';
import { type JobAction, JobActions } from './JobActions.js';
import { JobConfirm } from './JobConfirm.js';
import { JobData } from './JobData.js';
import { JobFacts } from './JobFacts.js';
import { JobFlow } from './JobFlow.js';
import { JobLogLines } from './JobLogLines.js';
import { JobMissing } from './JobMissing.js';
import { JobProgress } from './JobProgress.js';
import { JobTimeline } from './JobTimeline.js';
import './job-detail.css';

/** One job: summary, actions, progress, params, timeline with errors, log lines, result. */
export function JobDetailPage({ id }: { readonly id: string }) {
  const { client } = useSession();
  const { state: historyState } = useLocation();
  const [deleted, setDeleted] = useState(false);
  // While this page deletes the job, its live changes (a worker letting go of the cancelled
  // attempt, say) no longer reload it: the reload would ask for a job that is gone.
  const deleting = useRef(false);
  const [confirming, setConfirming] = useState<'cancel' | 'delete' | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ text: string; tone: 'ok' | 'error' } | null>(() =>
    typeof historyState === 'object' && historyState !== null && 'notice' in historyState
      ? { text: String((historyState as { notice: unknown }).notice), tone: 'ok' }
      : null,
  );

  const job = useQuery(
    (signal) =>
      // A reload already due when the delete began would ask for a job that is gone: it
      // waits instead (the page leaves once the delete is answered).
      deleting.current
        ? new Promise<never>(() => {})
        : read(client.api.jobs[':id'].$get({ param: { id } }, { init: { signal } })),
    [client, id],
    {
      live: (event) => {
        if (!event.ids.includes(id) || deleting.current) return false;
        if (event.change === 'deleted') setDeleted(true);
        return event.change !== 'deleted';
      },
      gapMs: 300,
    },
  );
  const data = job.data;
  const now = useNow(1000, data?.state === 'running');

  const act = async (action: JobAction) => {
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
        deleting.current = true;
        await read(client.api.jobs[':id'].$delete(param));
        navigate('/jobs', { state: { notice: `Deleted job #${id}.` } });
        return;
      }
      job.reload();
    } catch (error) {
      deleting.current = false;
      setNotice({ text: `Could not ${action} job #${id}: ${describeError(error)}`, tone: 'error' });
      job.reload();
    } finally {
      setBusy(false);
      setConfirming(null);
    }
  };

  const notFound = job.error instanceof ApiError && job.error.status === 404;
  if (deleted || (notFound && data === undefined)) return <JobMissing id={id} deleted={deleted} />;
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

  const duration = jobDurationMs(data, now);
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>
          Job #{data.id} <StateBadge state={data.state} />
        </h1>
        <JobActions
          job={data}
          busy={busy}
          onAction={(action) => (action === 'retry' ? void act(action) : setConfirming(action))}
        />
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
      <JobProgress job={data} durationMs={duration} />
      <div className="detail-grid">
        <JobFacts job={data} durationMs={duration} now={now} />
        <JobData job={data} />
      </div>
      <JobFlow id={data.id} state={data.state} />
      <JobTimeline job={data} />
      <JobLogLines job={data} />
      <JobConfirm
        id={id}
        action={confirming}
        state={data.state}
        busy={busy}
        onConfirm={(action) => void act(action)}
        onClose={() => setConfirming(null)}
      />
    </>
  );
}
