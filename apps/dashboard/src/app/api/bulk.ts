import {
  countFromStats,
  filterToActionBody,
  filterToQuery,
  type JobFilter,
  statsCanCount,
} from '../lib/filters.js';
import { type ApiClient, read } from './client.js';
import type { ActionResult, JobAction } from './types.js';

/** Which jobs a bulk action is for: picked rows, or every job matching a filter. */
export type BulkTarget =
  | { readonly kind: 'ids'; readonly ids: readonly string[] }
  | { readonly kind: 'filter'; readonly filter: JobFilter };

/** How many jobs match: exact, or at least `count` when counting stopped at the limit. */
export interface MatchCount {
  readonly count: number;
  readonly atLeast: boolean;
}

/** Most jobs counted by reading pages, when the stats cannot tell. */
export const COUNT_LIMIT = 10_000;
const COUNT_PAGE = 500;

/**
 * How many jobs match the filter: from the stats when the filter is on states and queue only
 * (one cheap call, right at a million rows), else by reading id pages up to COUNT_LIMIT.
 */
export async function countMatching(
  client: ApiClient,
  filter: JobFilter,
  signal?: AbortSignal,
): Promise<MatchCount> {
  const init = signal === undefined ? {} : { init: { signal } };
  if (statsCanCount(filter)) {
    const stats = await read(client.api.stats.$get({ query: { window: '1' } }, init));
    const fromStats = countFromStats(filter, stats);
    if (fromStats !== null) return { count: fromStats, atLeast: false };
  }
  let count = 0;
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = { ...filterToQuery(filter), limit: String(COUNT_PAGE) };
    if (cursor !== null) query.cursor = cursor;
    const page = await read(client.api.jobs.$get({ query }, init));
    count += page.jobs.length;
    cursor = page.nextCursor;
  } while (cursor !== null && count < COUNT_LIMIT);
  return { count, atLeast: cursor !== null };
}

/** What a bulk action did. */
export interface BulkResult {
  readonly matched: number;
  readonly changed: number;
}

/**
 * Applies `action` to the target through POST /api/jobs/actions; with a filter it follows
 * the answers' cursors until the server says it is done, telling `onProgress` as it goes.
 */
export async function runBulkAction(
  client: ApiClient,
  action: JobAction,
  target: BulkTarget,
  onProgress?: (soFar: BulkResult) => void,
): Promise<BulkResult> {
  if (target.kind === 'ids') {
    const result = await read(
      client.api.jobs.actions.$post({ json: { action, ids: [...target.ids] } }),
    );
    return { matched: result.matched, changed: result.changed };
  }
  const filter = filterToActionBody(target.filter);
  let matched = 0;
  let changed = 0;
  let cursor: string | null = null;
  do {
    const result: ActionResult = await read(
      client.api.jobs.actions.$post({
        json: { action, filter, ...(cursor === null ? {} : { cursor }) },
      }),
    );
    matched += result.matched;
    changed += result.changed;
    cursor = result.nextCursor;
    onProgress?.({ matched, changed });
  } while (cursor !== null);
  return { matched, changed };
}
