import type { Job } from '../../api/types.js';
import { jsonPretty } from '../../lib/format.js';

/** The job's params, and its result once it has one. */
export function JobData({ job }: { readonly job: Job }) {
  const hasResult = job.result !== null && job.result !== undefined;
  return (
    <section className="panel" aria-labelledby="params-title">
      <h2 id="params-title" className="section-title">
        Params
      </h2>
      <pre className="code" data-testid="job-params">
        {jsonPretty(job.params)}
      </pre>
      {hasResult ? (
        <>
          <h2 className="section-title">Result</h2>
          <pre className="code" data-testid="job-result">
            {jsonPretty(job.result)}
          </pre>
        </>
      ) : null}
    </section>
  );
}
