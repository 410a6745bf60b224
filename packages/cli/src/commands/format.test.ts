import { describe, expect, it } from 'vitest';
import { jobDetails, jobsTable, type WireJob } from './format.js';

function wireJob(overrides: Partial<WireJob> = {}): WireJob {
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
    tags: [],
    ...overrides,
  };
}

describe('jobs show and list', () => {
  it('shows params that are not an array (an old hand-written row) as stored', () => {
    const job = wireJob({ params: { to: 'a@b.c' } });
    expect(jobDetails(job)).toContain('{"to":"a@b.c"}');
    expect(jobsTable([job])).toContain('{"to":"a@b.c"}');
  });

  it('says nothing of dropped errors when none were dropped', () => {
    const error = { attempt: 1, message: 'boom', name: 'Error', at: 'x' };
    expect(jobDetails(wireJob({ errors: [error] }))).not.toMatch(/not kept/);
  });
});
