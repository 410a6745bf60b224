import { EmptyState } from '../../components/States.js';
import { Link } from '../../router.js';

/** The page of a job that is not there: deleted while shown, or never found. */
export function JobMissing({ id, deleted }: { readonly id: string; readonly deleted: boolean }) {
  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}>Job #{id}</h1>
      </div>
      <EmptyState title={deleted ? 'This job was deleted' : 'No such job'}>
        <p>
          {deleted
            ? 'It was deleted while you were looking at it.'
            : `There is no job #${id}: it may have been deleted.`}{' '}
          <Link to="/jobs">Back to the jobs</Link>
        </p>
      </EmptyState>
    </>
  );
}
