import type { JobAction } from '../../api/types.js';
import { formatCount } from '../../lib/format.js';

/** What is selected on the jobs page: some rows, or every job matching the filter. */
export type Selection =
  | { readonly kind: 'ids'; readonly ids: ReadonlySet<string> }
  | { readonly kind: 'all-matching' };

/** The toolbar above the jobs table: what is selected, and the actions on it. */
export function BulkBar({
  selection,
  pageSize,
  pageSelected,
  morePages,
  matchingLabel,
  onSelectAllMatching,
  onClear,
  onAction,
}: {
  readonly selection: Selection;
  /** Rows on this page. */
  readonly pageSize: number;
  /** True when every row of this page is selected. */
  readonly pageSelected: boolean;
  /** True when the filter matches more than this page. */
  readonly morePages: boolean;
  /** `1,234 jobs` or `counting…`, for the all-matching selection. */
  readonly matchingLabel: string;
  readonly onSelectAllMatching: () => void;
  readonly onClear: () => void;
  readonly onAction: (action: JobAction) => void;
}) {
  const count = selection.kind === 'ids' ? selection.ids.size : null;
  const none = count === 0;
  const label =
    count === null
      ? `All ${matchingLabel} matching the filter are selected.`
      : none
        ? 'Select jobs to cancel, retry or delete them.'
        : `${formatCount(count)} selected.`;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Actions on the selected jobs">
      <span className="bulk-label" aria-live="polite">
        {label}
        {pageSelected && morePages && selection.kind === 'ids' ? (
          <>
            {' '}
            <button type="button" className="link-button" onClick={onSelectAllMatching}>
              Select all jobs matching the filter
            </button>
          </>
        ) : null}
        {pageSelected && !morePages && selection.kind === 'ids' && pageSize > 0
          ? ' (every matching job)'
          : null}
        {!none ? (
          <>
            {' '}
            <button type="button" className="link-button" onClick={onClear}>
              Clear selection
            </button>
          </>
        ) : null}
      </span>
      <span className="bulk-actions">
        <button type="button" disabled={none} onClick={() => onAction('cancel')}>
          Cancel
        </button>
        <button type="button" disabled={none} onClick={() => onAction('retry')}>
          Retry
        </button>
        <button type="button" className="danger" disabled={none} onClick={() => onAction('delete')}>
          Delete
        </button>
      </span>
    </div>
  );
}
