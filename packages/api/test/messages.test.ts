import { createClient, ValidationError } from '@jobs/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, registry, runJobs, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('messages');
});
beforeEach(async () => {
  await api.schema.truncate();
});
afterAll(async () => {
  await api.close();
});

const send = { handler: 'mailer', method: 'send', params: ['ann@example.com', 'Hi'] };

/** The message core's own checks give for one enqueue option, or null when it takes it. */
async function coreMessage(options: Record<string, unknown>): Promise<string | null> {
  const client = createClient(api.store, registry);
  try {
    await client.enqueueUntyped({
      handler: 'mailer',
      method: 'send',
      params: send.params,
      options,
    });
    return null;
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
}

describe('one rule, one message', () => {
  it('refuses priority 1e308 with core’s range, not the safe-integer limit', async () => {
    const res = await api.call('POST', '/api/jobs', { json: { ...send, priority: 1e308 } });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      code: 'validation_error',
      message: 'priority: must be between -1000000 and 1000000',
      field: 'priority',
    });
  });

  it.each([
    ['priority', 1e308],
    ['priority', 1_000_001],
    ['priority', -1_000_001],
    ['priority', 1.5],
    ['priority', '5'],
    ['retries', -1],
    ['retries', 1001],
    ['retries', 1e300],
    ['retries', 2.5],
    ['delay', -5],
    ['delay', 1e308],
    ['delay', 'soon'],
    ['timeout', 0],
    ['timeout', -1],
    ['timeout', 1e308],
    ['tags', Array.from({ length: 21 }, (_, i) => `t${i}`)],
    ['backoff', { kind: 'fixed', delayMs: 1.5 }],
    ['backoff', { kind: 'fixed', delayMs: 1e308 }],
    ['backoff', { kind: 'fixed', delayMs: 10, jitter: 2 }],
    ['backoff', { kind: 'exponential', baseMs: -1, maxMs: 10 }],
    ['backoff', { kind: 'exponential', baseMs: 1, maxMs: 10, factor: 0.5 }],
    ['backoff', { kind: 'exponential', baseMs: 1, maxMs: 10, factor: 1e308 }],
  ])('gives the message core gives for %s = %j', async (field, value) => {
    const expected = await coreMessage({ [field]: value });
    expect(expected).not.toBeNull();
    const res = await api.call('POST', '/api/jobs', { json: { ...send, [field]: value } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe(expected);
  });

  it.each([
    ['/api/jobs?limit=1e308', 'limit: must be between 1 and 500'],
    ['/api/jobs?limit=0', 'limit: must be between 1 and 500'],
    ['/api/jobs?limit=2.5', 'limit: must be an integer'],
    ['/api/jobs?limit=many', 'limit: must be an integer'],
    ['/api/stats?window=99999', 'window: must be between 1 and 1440'],
    ['/api/logs/jobs?lines=1e308', 'lines: must be between 1 and 5000'],
  ])('says the range of a query number: %s', async (path, message) => {
    const res = await api.call('GET', path);
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe(message);
  });

  it('says which jobs can be retried, in a user’s words', async () => {
    const job = await (await api.call('POST', '/api/jobs', { json: send })).json();
    await runJobs(api.store, 1);
    const res = await api.call('POST', `/api/jobs/${job.id}/retry`);
    expect(res.status).toBe(409);
    expect((await res.json()).error).toEqual({
      code: 'illegal_transition',
      message:
        'cannot retry a job that is completed: only failed, cancelled, retrying or scheduled jobs can be retried',
    });
  });

  it('says which jobs can be cancelled', async () => {
    const job = await (await api.call('POST', '/api/jobs', { json: send })).json();
    await runJobs(api.store, 1);
    const res = await api.call('POST', `/api/jobs/${job.id}/cancel`);
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe(
      'cannot cancel a job that is completed: only waiting, scheduled, queued, retrying or running jobs can be cancelled',
    );
  });
});
