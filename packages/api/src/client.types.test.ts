import { describe, expect, it } from 'vitest';
import { createApiClient } from './client.js';

/** Compiled, never run: `tsc` over the tests fails if the client stops matching the routes. */
async function typeChecks(): Promise<void> {
  const client = createApiClient('http://127.0.0.1:3000', { token: 't' });

  const created = await client.api.jobs.$post({
    json: { handler: 'mailer', method: 'send', params: ['a@b.c'], priority: 5, delay: 10 },
  });
  if (created.status === 201) {
    const job = await created.json();
    const id: string = job.id;
    const runAt: string = job.runAt;
    // @ts-expect-error runAt arrives as an ISO string, not a Date
    const asDate: Date = job.runAt;
    void [id, runAt, asDate];
  }

  // @ts-expect-error handler must be a string
  await client.api.jobs.$post({ json: { handler: 1, method: 'send' } });
  // @ts-expect-error method is required
  await client.api.jobs.$post({ json: { handler: 'mailer' } });
  // @ts-expect-error priority must be a number
  await client.api.jobs.$post({ json: { handler: 'mailer', method: 'send', priority: 'high' } });
  // @ts-expect-error batches take a `jobs` array
  await client.api.jobs.batch.$post({ json: [{ handler: 'mailer', method: 'send' }] });
  // @ts-expect-error the action must be one of cancel, retry, delete
  await client.api.jobs.actions.$post({ json: { action: 'explode', ids: ['1'] } });

  const page = await client.api.jobs.$get({ query: { state: 'failed', limit: 10 } });
  if (page.status === 200) {
    const body = await page.json();
    const next: string | null = body.nextCursor;
    void next;
  }
  const one = await client.api.jobs[':id'].$get({ param: { id: '1' } });
  if (one.status === 404) {
    const body = await one.json();
    const code: string = body.error.code;
    void code;
  }
  await client.api.jobs[':id'].cancel.$post({ param: { id: '1' } });
  const paused = await client.api.queues[':name'].pause.$post({
    param: { name: 'emails' },
    query: { create: 'true' },
  });
  if (paused.status === 404) {
    const field: string | undefined = (await paused.json()).error.field;
    void field;
  }
  const stats = await client.api.stats.$get({ query: { window: 30 } });
  if (stats.status === 200) {
    const body = await stats.json();
    const failed: number = body.byState.failed;
    void failed;
  }
  await client.healthz.$get();
}

describe('the typed client', () => {
  it('is type-checked by tsc (see typeChecks above)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
