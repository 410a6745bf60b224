import { EmptyState } from '../../components/States.js';
import { describeFilter, isEmptyFilter, type JobFilter } from '../../lib/filters.js';
import { Link } from '../../router.js';

/** An empty jobs list: none at all yet, or none matching the filter (with a way out). */
export function JobsEmpty({
  filter,
  firstPage,
  onClear,
}: {
  readonly filter: JobFilter;
  /** False past the first page, where "no jobs yet" would not be true. */
  readonly firstPage: boolean;
  readonly onClear: () => void;
}) {
  if (isEmptyFilter(filter) && firstPage) {
    return (
      <EmptyState title="No jobs yet">
        <p>
          Jobs appear here as soon as they are enqueued, by your application, the CLI or{' '}
          <Link to="/jobs/new">the New job form</Link>.
        </p>
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No jobs match">
      <p>No {describeFilter(filter)}.</p>
      <button type="button" onClick={onClear}>
        Clear filters
      </button>
    </EmptyState>
  );
}
