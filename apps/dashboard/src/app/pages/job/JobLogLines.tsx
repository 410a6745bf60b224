import type { Job } from '../../api/types.js';
import { formatDateTime } from '../../lib/format.js';

/** The lines the handler logged with `jobContext().log()`. */
export function JobLogLines({ job }: { readonly job: Job }) {
  return (
    <section className="panel" aria-labelledby="log-title">
      <h2 id="log-title" className="section-title">
        Log lines
      </h2>
      {job.logs.length === 0 ? (
        <p className="muted">The handler logged nothing (it can, with jobContext().log()).</p>
      ) : (
        <ol className="log-lines" data-testid="job-logs">
          {job.logs.map((line, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: log lines only grow at the end
            <li key={index}>
              <time dateTime={line.at} className="muted">
                {formatDateTime(line.at)}
              </time>{' '}
              <span className="mono">{line.line}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
