import type { Job } from '@jobs/core';
import type { Deps } from '../deps.js';
import type { ACTIONS } from '../schemas/requests.js';

/** What a bulk action does to each job. */
export type JobAction = (typeof ACTIONS)[number];

/**
 * Deletes `ids` (those not running) and returns how many went. With the job log on, writes a
 * `deleted` line for each job that went: `known` (or the jobs read first) are the candidates,
 * and when fewer went than were found, those still there are read again to tell which.
 */
export async function deleteJobs(
  { store, changeLog }: Pick<Deps, 'store' | 'changeLog'>,
  ids: readonly string[],
  known?: readonly Job[],
): Promise<number> {
  if (ids.length === 0) return 0;
  if (!changeLog.enabled) return store.jobDelete({ ids });
  const found =
    known ?? (await Promise.all(ids.map((id) => store.jobGet({ id })))).filter((j) => j !== null);
  const changed = await store.jobDelete({ ids });
  let gone: readonly Job[] = found;
  if (changed !== found.length) {
    const still = await Promise.all(found.map((job) => store.jobGet({ id: job.id })));
    gone = found.filter((_, i) => still[i] === null);
  }
  changeLog.record(gone, 'deleted');
  return changed;
}

/**
 * Applies `action` to `ids` and returns how many it changed; each changed job gets its
 * job-log line (`cancelled`, `queued`, `deleted`). `known`: the jobs, when already read.
 */
export async function applyAction(
  deps: Pick<Deps, 'store' | 'changeLog'>,
  action: JobAction,
  ids: readonly string[],
  known?: readonly Job[],
): Promise<number> {
  if (ids.length === 0) return 0;
  if (action === 'delete') return deleteJobs(deps, ids, known);
  const changed =
    action === 'cancel' ? await deps.store.jobCancel({ ids }) : await deps.store.jobRetry({ ids });
  deps.changeLog.record(changed, action === 'cancel' ? 'cancelled' : 'queued');
  return changed.length;
}
