import { JOB_STATES, type JobState, type Stats } from '../api/types.js';

/** What the jobs list shows: filters, search and sort, as kept in the page's URL. */
export interface JobFilter {
  readonly state: readonly JobState[];
  readonly queue: string | null;
  readonly handler: string | null;
  readonly method: string | null;
  /** Text to find in the params or the errors. */
  readonly text: string | null;
  readonly sort: 'newest' | 'oldest';
}

/** No filter: every job, newest first. */
export const EMPTY_FILTER: JobFilter = {
  state: [],
  queue: null,
  handler: null,
  method: null,
  text: null,
  sort: 'newest',
};

function isState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}

function nonEmpty(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Reads a filter from a URL's query (`?state=failed,retrying&queue=emails&q=boom`). */
export function parseFilter(search: URLSearchParams): JobFilter {
  const states = (search.get('state') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(isState);
  return {
    state: [...new Set(states)],
    queue: nonEmpty(search.get('queue')),
    handler: nonEmpty(search.get('handler')),
    method: nonEmpty(search.get('method')),
    text: nonEmpty(search.get('q')),
    sort: search.get('sort') === 'oldest' ? 'oldest' : 'newest',
  };
}

/** The URL query for a filter, without the leading `?`; empty for no filter. */
export function filterToSearch(filter: JobFilter): string {
  const params = new URLSearchParams();
  if (filter.state.length > 0) params.set('state', filter.state.join(','));
  if (filter.queue !== null) params.set('queue', filter.queue);
  if (filter.handler !== null) params.set('handler', filter.handler);
  if (filter.method !== null) params.set('method', filter.method);
  if (filter.text !== null) params.set('q', filter.text);
  if (filter.sort !== 'newest') params.set('sort', filter.sort);
  return params.toString();
}

/** The filter part of `GET /api/jobs`'s query. */
export function filterToQuery(filter: JobFilter): Record<string, string> {
  const query: Record<string, string> = {};
  if (filter.state.length > 0) query.state = filter.state.join(',');
  if (filter.queue !== null) query.queue = filter.queue;
  if (filter.handler !== null) query.handler = filter.handler;
  if (filter.method !== null) query.method = filter.method;
  if (filter.text !== null) query.text = filter.text;
  query.sort = filter.sort;
  return query;
}

/** The filter as `POST /api/jobs/actions` takes it. */
export interface ActionFilter {
  state?: JobState[];
  queue?: string[];
  handler?: string;
  method?: string;
  text?: string;
}

/** The filter in the body of a bulk action. */
export function filterToActionBody(filter: JobFilter): ActionFilter {
  const body: ActionFilter = {};
  if (filter.state.length > 0) body.state = [...filter.state];
  if (filter.queue !== null) body.queue = [filter.queue];
  if (filter.handler !== null) body.handler = filter.handler;
  if (filter.method !== null) body.method = filter.method;
  if (filter.text !== null) body.text = filter.text;
  return body;
}

/** True when the filter narrows nothing (sort aside). */
export function isEmptyFilter(filter: JobFilter): boolean {
  return (
    filter.state.length === 0 &&
    filter.queue === null &&
    filter.handler === null &&
    filter.method === null &&
    filter.text === null
  );
}

/** The filter in words: `failed or retrying jobs in queue emails matching "boom"`. */
export function describeFilter(filter: JobFilter): string {
  const states = filter.state.length === 0 ? '' : `${filter.state.join(' or ')} `;
  const parts = [`${states}jobs`];
  if (filter.queue !== null) parts.push(`in queue ${filter.queue}`);
  if (filter.handler !== null) {
    parts.push(
      filter.method === null
        ? `of handler ${filter.handler}`
        : `of ${filter.handler}.${filter.method}`,
    );
  } else if (filter.method !== null) {
    parts.push(`of method ${filter.method}`);
  }
  if (filter.text !== null) parts.push(`matching "${filter.text}"`);
  return parts.join(' ');
}

/** True when the stats can count the filter's jobs (it is on states and queue only). */
export function statsCanCount(filter: JobFilter): boolean {
  return filter.handler === null && filter.method === null && filter.text === null;
}

/**
 * How many jobs match the filter, from the stats, when the stats can tell (a filter on
 * states and queue only); null otherwise.
 */
export function countFromStats(
  filter: JobFilter,
  stats: Pick<Stats, 'byState' | 'byQueue'>,
): number | null {
  if (!statsCanCount(filter)) return null;
  const states = filter.state.length === 0 ? JOB_STATES : filter.state;
  let counts: Stats['byState'] | undefined = stats.byState;
  if (filter.queue !== null) {
    counts = stats.byQueue.find((q) => q.queue === filter.queue)?.byState;
    if (counts === undefined) return 0;
  }
  return states.reduce((sum, state) => sum + (counts?.[state] ?? 0), 0);
}
