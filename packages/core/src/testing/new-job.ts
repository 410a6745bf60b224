import type { RetryPolicy } from '../job.js';
import type { NewJob } from '../store.js';

const NO_BACKOFF: RetryPolicy = { kind: 'fixed', delayMs: 0 };

/** A valid NewJob with overridable fields, for tests of stores. */
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    queue: 'default',
    handler: 'mailer',
    method: 'send',
    params: ['a@b.c', 'Hi'],
    priority: 0,
    maxAttempts: 4,
    timeoutMs: null,
    uniqueKey: null,
    tags: [],
    backoff: NO_BACKOFF,
    runAt: { delayMs: 0 },
    concurrencyKey: null,
    ...overrides,
  };
}
