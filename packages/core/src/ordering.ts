import { compareJobIds } from './ids.js';
import type { Job } from './job.js';

/** The fields that decide which job runs first. */
export type OrderedJob = Pick<Job, 'priority' | 'runAt' | 'id'>;

/** Claim order: higher priority first, then earlier `runAt`, then lower id (FIFO). */
export function compareJobs(a: OrderedJob, b: OrderedJob): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  const byTime = a.runAt.getTime() - b.runAt.getTime();
  if (byTime !== 0) return byTime < 0 ? -1 : 1;
  return compareJobIds(a.id, b.id);
}
