import type { Job } from '../../api/types.js';
import { formatDateTime } from '../../lib/format.js';
import { jobTimeline } from '../../lib/job.js';

/** The job's history: enqueued, each attempt (with its error and stack), how it finished. */
export function JobTimeline({ job }: { readonly job: Job }) {
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title" className="section-title">
        Timeline
      </h2>
      <ol className="timeline">
        {jobTimeline(job).map((entry) => (
          <li
            key={`${entry.kind}-${entry.at}-${entry.title}`}
            className={`timeline-${entry.kind}${entry.state === undefined ? '' : ` timeline-finished-${entry.state}`}`}
          >
            <div className="timeline-head">
              <strong>{entry.title}</strong>{' '}
              {entry.kind === 'dropped-errors' ? null : (
                <time dateTime={entry.at} className="muted">
                  {formatDateTime(entry.at)}
                </time>
              )}
              {entry.worker === undefined ? null : (
                <span className="muted mono"> · {entry.worker}</span>
              )}
            </div>
            {entry.error === undefined ? null : (
              <div className="timeline-error">
                <p className="error-text">
                  {entry.error.name}: {entry.error.message}
                </p>
                {entry.error.stack === undefined ? null : (
                  <details>
                    <summary>Stack trace</summary>
                    <pre className="code">{entry.error.stack}</pre>
                  </details>
                )}
              </div>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
