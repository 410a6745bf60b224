import type { JobState } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';

/** The confirmation of cancelling or deleting this one job, worded for one job. */
export function JobConfirm({
  id,
  action,
  state,
  busy,
  onConfirm,
  onClose,
}: {
  readonly id: string;
  /** What is being confirmed; null keeps the dialog closed. */
  readonly action: 'cancel' | 'delete' | null;
  /** The job's state, which says what a cancel does. */
  readonly state: JobState;
  readonly busy: boolean;
  readonly onConfirm: (action: 'cancel' | 'delete') => void;
  readonly onClose: () => void;
}) {
  return (
    <ConfirmDialog
      open={action !== null}
      title={action === 'delete' ? `Delete job #${id}?` : `Cancel job #${id}?`}
      confirmLabel={action === 'delete' ? 'Delete job' : 'Cancel job'}
      keepLabel="Keep it"
      danger
      busy={busy}
      onConfirm={() => action !== null && onConfirm(action)}
      onClose={onClose}
    >
      <p>
        {action === 'delete'
          ? 'The job and its history are removed for good.'
          : state === 'running'
            ? 'The worker running it is told to stop; it ends cancelled.'
            : 'It will not run. You can retry it later.'}
      </p>
    </ConfirmDialog>
  );
}
