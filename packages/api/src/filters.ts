import type { JobListParams, JobState } from '@jobs/core';

/** A list filter after validation (query string or body). */
export interface FilterInput {
  readonly state?: readonly JobState[] | undefined;
  readonly queue?: readonly string[] | undefined;
  readonly handler?: string | undefined;
  readonly method?: string | undefined;
  readonly text?: string | undefined;
  readonly createdFrom?: string | undefined;
  readonly createdTo?: string | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The store's list params for a filter, without paging. */
export function toListFilter(input: FilterInput): Omit<JobListParams, 'limit'> {
  const params: Mutable<Omit<JobListParams, 'limit'>> = {};
  if (input.state !== undefined) params.states = [...new Set(input.state)];
  if (input.queue !== undefined) params.queues = [...new Set(input.queue)];
  if (input.handler !== undefined) params.handler = input.handler;
  if (input.method !== undefined) params.method = input.method;
  if (input.text !== undefined) params.search = input.text;
  if (input.createdFrom !== undefined) params.createdFrom = new Date(input.createdFrom);
  if (input.createdTo !== undefined) params.createdTo = new Date(input.createdTo);
  return params;
}
