import type { Job } from '../../api/types.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatDateTime, formatDuration, jsonPreview, truncate } from '../../lib/format.js';
import { jobDurationMs } from '../../lib/job.js';
import { Link } from '../../router.js';
import '../../components/table.css';

/** The table's columns in order, named for their `<col>` classes. */
const COLUMNS = [
  'check',
  'id',
  'time',
  'handler',
  'method',
  'params',
  'status',
  'attempts',
  'error',
  'queue',
  'priority',
  'run-at',
  'duration',
] as const;

/** The jobs of one page, with a checkbox per row. */
export function JobsTable({
  jobs,
  selected,
  allSelected,
  now,
  onToggle,
  onToggleAll,
}: {
  readonly jobs: readonly Job[];
  /** True for a row that is selected. */
  readonly selected: (id: string) => boolean;
  readonly allSelected: boolean;
  readonly now: Date;
  readonly onToggle: (id: string) => void;
  readonly onToggleAll: () => void;
}) {
  return (
    <div className="table-wrap">
      <table className="table table-cards jobs-table">
        <caption className="visually-hidden">Jobs</caption>
        {/* Column widths (jobs.css): fixed for short values, shares of the rest for long ones. */}
        <colgroup>
          {COLUMNS.map((name) => (
            <col key={name} className={`column-${name}`} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className="col-check">
              <input
                type="checkbox"
                aria-label="Select every job on this page"
                checked={allSelected}
                onChange={onToggleAll}
              />
            </th>
            <th scope="col">ID</th>
            <th scope="col">Time</th>
            <th scope="col">Handler</th>
            <th scope="col">Method</th>
            <th scope="col">Params</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Error</th>
            <th scope="col">Queue</th>
            <th scope="col" className="num">
              Priority
            </th>
            <th scope="col">Run at</th>
            <th scope="col" className="num">
              Duration
            </th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const error = job.errors.at(-1);
            const duration = jobDurationMs(job, now);
            const params = jsonPreview(job.params, 60);
            return (
              <tr
                key={job.id}
                data-job-id={job.id}
                className={selected(job.id) ? 'selected' : undefined}
              >
                <td className="col-check">
                  <input
                    type="checkbox"
                    aria-label={`Select job ${job.id}`}
                    checked={selected(job.id)}
                    onChange={() => onToggle(job.id)}
                  />
                </td>
                <td data-label="ID">
                  <Link to={`/jobs/${job.id}`} className="job-link">
                    #{job.id}
                  </Link>
                </td>
                <td data-label="Time" className="cell-time">
                  <time dateTime={job.createdAt}>{formatDateTime(job.createdAt)}</time>
                </td>
                <td data-label="Handler" className="mono cell-handler" title={job.handler}>
                  {job.handler}
                </td>
                <td data-label="Method" className="mono cell-method" title={job.method}>
                  {job.method}
                </td>
                <td
                  data-label="Params"
                  className="mono cell-params"
                  title={jsonPreview(job.params, 2000)}
                >
                  {params}
                </td>
                <td data-label="Status">
                  <StateBadge state={job.state} />
                </td>
                <td data-label="Attempts" className="num">
                  {job.attempt}/{job.maxAttempts}
                </td>
                <td data-label="Error" className="cell-error" title={error?.message}>
                  {error === undefined ? '' : truncate(`${error.name}: ${error.message}`, 80)}
                </td>
                <td data-label="Queue" className="cell-queue" title={job.queue}>
                  {job.queue}
                </td>
                <td data-label="Priority" className="num">
                  {job.priority}
                </td>
                <td data-label="Run at" className="cell-time">
                  <time dateTime={job.runAt}>{formatDateTime(job.runAt)}</time>
                </td>
                <td data-label="Duration" className="num nowrap">
                  {duration === null ? '' : formatDuration(duration)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
