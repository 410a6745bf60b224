import type { Job } from '../../api/types.js';
import type { EnqueueCopy } from '../new-job/copy.js';

/** What "Enqueue a copy" puts in the New job form: the job's handler, params and options. */
export function copyOf(job: Job): EnqueueCopy {
  return {
    handler: job.handler,
    method: job.method,
    params: job.params,
    queue: job.queue,
    priority: job.priority,
    retries: Math.max(0, job.maxAttempts - 1),
  };
}
