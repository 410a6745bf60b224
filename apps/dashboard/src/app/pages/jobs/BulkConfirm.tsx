import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { describeFilter } from '../../lib/filters.js';
import { countText, keepLabel, type PendingAction, VERBS } from './actions.js';

/** The confirmation of a bulk action: what it does, to how many jobs (counted first). */
export function BulkConfirm({
  pending,
  running,
  onConfirm,
  onClose,
}: {
  /** The action to confirm; null keeps the dialog closed. */
  readonly pending: PendingAction | null;
  /** True while the confirmed action runs. */
  readonly running: boolean;
  readonly onConfirm: () => void;
  readonly onClose: () => void;
}) {
  return (
    <ConfirmDialog
      open={pending !== null}
      title={
        pending === null
          ? ''
          : `${VERBS[pending.action].verb} ${pending.target.kind === 'ids' ? 'the selected jobs' : 'every matching job'}?`
      }
      confirmLabel={
        pending === null
          ? ''
          : running
            ? 'Working…'
            : pending.count === null
              ? 'Counting…'
              : `${VERBS[pending.action].verb} ${countText(pending.count)}`
      }
      keepLabel={keepLabel(pending?.count ?? null)}
      danger={pending?.action !== 'retry'}
      busy={running || pending?.count === null}
      onConfirm={onConfirm}
      onClose={onClose}
    >
      {pending === null ? null : (
        <>
          <p data-testid="confirm-count">
            {pending.count === null
              ? pending.countError === undefined
                ? 'Counting the matching jobs…'
                : `Could not count the matching jobs: ${pending.countError}`
              : pending.target.kind === 'ids'
                ? `This will ${pending.action} ${countText(pending.count)}.`
                : `This will ${pending.action} ${countText(pending.count)}: all ${describeFilter(pending.target.filter)}.`}
          </p>
          <p className="muted">{VERBS[pending.action].note}</p>
        </>
      )}
    </ConfirmDialog>
  );
}
