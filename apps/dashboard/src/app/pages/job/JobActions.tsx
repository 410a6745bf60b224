import type { Job } from '../../api/types.js';
import { canCancel, canDelete, canRetry } from '../../lib/job.js';
import { navigate } from '../../router.js';
import { copyOf } from './copy.js';

/** What the job page can be asked to do; cancel and delete ask for a confirmation first. */
export type JobAction = 'cancel' | 'retry' | 'delete';

/** The job's buttons: cancel, retry, enqueue a copy, delete (each enabled when its state allows). */
export function JobActions({
  job,
  busy,
  onAction,
}: {
  readonly job: Job;
  /** Holds every button while an action runs. */
  readonly busy: boolean;
  readonly onAction: (action: JobAction) => void;
}) {
  return (
    <div className="actions">
      <button
        type="button"
        disabled={busy || !canCancel(job.state)}
        onClick={() => onAction('cancel')}
      >
        Cancel job
      </button>
      <button
        type="button"
        disabled={busy || !canRetry(job.state)}
        onClick={() => onAction('retry')}
      >
        Retry
      </button>
      <button type="button" onClick={() => navigate('/jobs/new', { state: { copy: copyOf(job) } })}>
        Enqueue a copy
      </button>
      <button
        type="button"
        className="danger"
        disabled={busy || !canDelete(job.state)}
        onClick={() => onAction('delete')}
      >
        Delete
      </button>
    </div>
  );
}
