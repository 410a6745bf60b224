import type { WireJob } from '../commands/format.js';

/** A job as the API sends it, for the CLI's unit tests; `overrides` replace fields. */
export function wireJob(overrides: Partial<WireJob> = {}): WireJob {
  return {
    id: '7',
    queue: 'default',
    handler: 'mailer',
    method: 'send',
    params: ['a@b.c'],
    priority: 0,
    state: 'failed',
    attempt: 1,
    maxAttempts: 1,
    runAt: '2026-01-01T00:00:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    leaseOwner: null,
    timeoutMs: null,
    progress: null,
    result: null,
    errors: [],
    errorsDropped: 0,
    logs: [],
    uniqueKey: null,
    concurrencyKey: null,
    tags: [],
    ...overrides,
  };
}
