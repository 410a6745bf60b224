import type { Job } from '../../api/types.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { formatDuration, jsonPretty } from '../../lib/format.js';
import { progressPercent } from '../../lib/job.js';

/** The progress panel of a running job, or of one that reported progress; nothing otherwise. */
export function JobProgress({
  job,
  durationMs,
}: {
  readonly job: Job;
  /** How long it has run, or null before it started. */
  readonly durationMs: number | null;
}) {
  const percent = progressPercent(job.progress);
  if (job.state !== 'running' && percent === null) return null;
  return (
    <section className="panel" aria-labelledby="progress-title">
      <h2 id="progress-title" className="section-title">
        Progress
      </h2>
      {percent === null ? (
        <p className="muted">
          Running for {durationMs === null ? '' : formatDuration(durationMs)}; no progress reported
          {job.progress === null ? '' : `: ${jsonPretty(job.progress)}`}.
        </p>
      ) : (
        <ProgressBar percent={percent} label={`Progress of job ${job.id}`} />
      )}
    </section>
  );
}
