import { plural } from '../../lib/format.js';

/** Cursor paging under the jobs table: first, previous, where we are, next. */
export function Pager({
  pageNumber,
  rows,
  hasNext,
  onFirst,
  onPrevious,
  onNext,
}: {
  /** 1 for the first page. */
  readonly pageNumber: number;
  /** Jobs on this page. */
  readonly rows: number;
  readonly hasNext: boolean;
  readonly onFirst: () => void;
  readonly onPrevious: () => void;
  readonly onNext: () => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={pageNumber <= 1} onClick={onFirst}>
        First page
      </button>
      <button type="button" disabled={pageNumber <= 1} onClick={onPrevious}>
        Previous
      </button>
      <span className="muted" aria-live="polite">
        Page {pageNumber} · {plural(rows, 'job')}
      </span>
      <button type="button" disabled={!hasNext} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}
