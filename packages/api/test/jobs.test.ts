import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, runJobs, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('jobs', { bodyLimitBytes: 64 * 1024 });
});
beforeEach(async () => {
  await api.schema.truncate();
});
afterAll(async () => {
  await api.close();
});

async function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string; field?: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (field !== undefined) expect(body.error.field).toBe(field);
}

const send = { handler: 'mailer', method: 'send', params: ['ann@example.com', 'Hi'] };

describe('POST /api/jobs', () => {
  it('enqueues a job and answers 201 with it', async () => {
    const res = await api.call('POST', '/api/jobs', {
      json: { ...send, queue: 'emails', priority: 5, retries: 2, timeout: 1.5, tags: ['x'] },
    });
    expect(res.status).toBe(201);
    const job = await res.json();
    expect(job).toMatchObject({
      handler: 'mailer',
      method: 'send',
      params: ['ann@example.com', 'Hi'],
      queue: 'emails',
      priority: 5,
      maxAttempts: 3,
      timeoutMs: 1500,
      state: 'queued',
      tags: ['x'],
      errors: [],
    });
    expect(job.id).toMatch(/^\d+$/);
    expect(new Date(job.createdAt).toISOString()).toBe(job.createdAt);
  });

  it('schedules with delay or runAt, and takes the seed’s class names', async () => {
    const delayed = await (
      await api.call('POST', '/api/jobs', { json: { ...send, delay: 60 } })
    ).json();
    expect(delayed.state).toBe('scheduled');
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const later = await (
      await api.call('POST', '/api/jobs', { json: { ...send, runAt: at } })
    ).json();
    expect(later.runAt).toBe(at);
    const seed = await api.call('POST', '/api/jobs', {
      json: { handler: 'App\\Services\\SomeClass', method: 'someMethod', params: [1, 2] },
    });
    expect(seed.status).toBe(201);
  });

  it.each([
    ['a wrong type', { ...send, priority: 'high' }, 'priority'],
    ['an unknown field', { ...send, colour: 'red' }, 'colour'],
    ['a negative delay', { ...send, delay: -1 }, 'delay'],
    ['a priority out of range', { ...send, priority: 2_000_000 }, 'priority'],
    ['a fractional priority', { ...send, priority: 1.5 }, 'priority'],
    ['params that are not an array', { ...send, params: { to: 'x' } }, 'params'],
    ['params failing the method’s schema', { ...send, params: ['not-an-email', 'Hi'] }, 'params.0'],
    ['delay together with runAt', { ...send, delay: 1, runAt: new Date().toISOString() }, 'runAt'],
    ['a bad queue name', { ...send, queue: 'no spaces' }, 'queue'],
    ['a bad runAt', { ...send, runAt: 'tomorrow' }, 'runAt'],
    ['a NUL in params', { ...send, params: ['ann@example.com', 'x\u0000y'] }, 'params'],
    ['a missing method', { handler: 'mailer' }, 'method'],
  ])('answers 400 naming the field for %s', async (_name, json, field) => {
    await expectError(
      await api.call('POST', '/api/jobs', { json }),
      400,
      'validation_error',
      field,
    );
  });

  it('answers 400 unknown_handler for a handler or method not on the allow-list', async () => {
    await expectError(
      await api.call('POST', '/api/jobs', { json: { handler: 'nope', method: 'send' } }),
      400,
      'unknown_handler',
      'handler',
    );
    await expectError(
      await api.call('POST', '/api/jobs', { json: { handler: 'mailer', method: 'toString' } }),
      400,
      'unknown_handler',
      'method',
    );
  });

  it('answers 400 for broken JSON, 415 for another media type, 413 for a body too large', async () => {
    await expectError(
      await api.call('POST', '/api/jobs', {
        body: '{"handler": ',
        headers: { 'Content-Type': 'application/json' },
      }),
      400,
      'invalid_json',
      'body',
    );
    await expectError(
      await api.call('POST', '/api/jobs', {
        body: 'x=1',
        headers: { 'Content-Type': 'text/plain' },
      }),
      415,
      'unsupported_media_type',
    );
    await expectError(
      await api.call('POST', '/api/jobs', { json: { ...send, params: ['x'.repeat(100_000)] } }),
      413,
      'payload_too_large',
    );
    expect((await api.store.jobList({ limit: 10 })).jobs).toEqual([]);
  });
});

describe('POST /api/jobs/batch', () => {
  it('enqueues many in input order', async () => {
    const jobs = Array.from({ length: 20 }, (_, i) => ({
      ...send,
      params: [`u${i}@example.com`, 'Hi'],
    }));
    const res = await api.call('POST', '/api/jobs/batch', { json: { jobs } });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.jobs.map((j: { params: string[] }) => j.params[0])).toEqual(
      jobs.map((j) => j.params[0]),
    );
  });

  it('enqueues none when one is bad, naming it', async () => {
    const res = await api.call('POST', '/api/jobs/batch', {
      json: { jobs: [send, { ...send, params: ['bad', 'Hi'] }] },
    });
    await expectError(res, 400, 'validation_error', 'jobs.1.params.0');
    const unknown = await api.call('POST', '/api/jobs/batch', {
      json: { jobs: [send, { handler: 'nope', method: 'x' }] },
    });
    await expectError(unknown, 400, 'validation_error', 'jobs.1.handler');
    await expectError(
      await api.call('POST', '/api/jobs/batch', { json: { jobs: [] } }),
      400,
      'validation_error',
      'jobs',
    );
    expect((await api.store.jobList({ limit: 10 })).jobs).toEqual([]);
  });
});

describe('GET /api/jobs', () => {
  beforeEach(async () => {
    const mk = (queue: string, handler: string, method: string, params: unknown[]) => ({
      queue,
      handler,
      method,
      params,
    });
    await api.call('POST', '/api/jobs/batch', {
      json: {
        jobs: [
          mk('emails', 'mailer', 'send', ['alice@example.com', 'Hi']),
          mk('emails', 'mailer', 'send', ['bob@example.com', 'Hi']),
          mk('reports', 'reports', 'build', [2026]),
          mk('default', 'App\\Services\\SomeClass', 'someMethod', [1, 2]),
        ],
      },
    });
  });

  const list = async (query: string) => {
    const res = await api.call('GET', `/api/jobs${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as {
      jobs: { id: string; params: unknown[]; state: string }[];
      nextCursor: string | null;
    };
  };

  it('filters by queue, handler and method, state, text and created range', async () => {
    expect((await list('?queue=emails')).jobs).toHaveLength(2);
    expect((await list('?queue=emails,reports')).jobs).toHaveLength(3);
    expect((await list('?queue=emails&queue=reports')).jobs).toHaveLength(3);
    expect((await list('?handler=reports&method=build')).jobs.map((j) => j.params)).toEqual([
      [2026],
    ]);
    expect((await list('?text=ALICE')).jobs).toHaveLength(1);
    expect((await list('?state=running')).jobs).toEqual([]);
    const future = encodeURIComponent(new Date(Date.now() + 60_000).toISOString());
    expect((await list(`?createdFrom=${future}`)).jobs).toEqual([]);
    expect((await list(`?createdTo=${future}`)).jobs).toHaveLength(4);
  });

  it('finds text in the errors of failed jobs', async () => {
    await runJobs(api.store, 0);
    expect((await list('?state=failed&text=boom')).jobs).toHaveLength(4);
  });

  it('pages with a cursor, newest or oldest first, without gaps or repeats', async () => {
    const all = (await list('?limit=100')).jobs.map((j) => j.id);
    expect(all).toHaveLength(4);
    const first = await list('?limit=3');
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`?limit=3&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeNull();
    expect([...first.jobs, ...second.jobs].map((j) => j.id)).toEqual(all);
    const oldest = (await list('?sort=oldest')).jobs.map((j) => j.id);
    expect(oldest).toEqual([...all].reverse());
  });

  it.each([
    ['?state=bogus', 'state.0'],
    ['?limit=0', 'limit'],
    ['?limit=abc', 'limit'],
    ['?sort=priority', 'sort'],
    ['?cursor=nonsense', 'cursor'],
    ['?createdFrom=yesterday', 'createdFrom'],
    ['?colour=red', 'colour'],
  ])('answers 400 for %s', async (query, field) => {
    await expectError(await api.call('GET', `/api/jobs${query}`), 400, 'validation_error', field);
  });
});

describe('one job: get, cancel, retry, delete', () => {
  async function enqueue(json: object = send): Promise<{ id: string }> {
    return (await api.call('POST', '/api/jobs', { json })).json();
  }

  it('gets a job with its errors, progress and log lines', async () => {
    const { id } = await enqueue();
    const [claimed] = await api.store.jobClaim({
      workerId: 'w',
      queues: null,
      limit: 1,
      leaseMs: 60_000,
    });
    await api.store.jobProgressSet({
      workerId: 'w',
      id,
      attempt: 1,
      progress: { done: 3 },
      logs: [{ at: new Date().toISOString(), line: 'working' }],
    });
    expect(claimed?.id).toBe(id);
    const job = await (await api.call('GET', `/api/jobs/${id}`)).json();
    expect(job).toMatchObject({ id, state: 'running', progress: { done: 3 }, attempt: 1 });
    expect(job.logs.map((l: { line: string }) => l.line)).toEqual(['working']);
  });

  it('answers 404 for a missing job and 400 for a malformed id', async () => {
    await expectError(await api.call('GET', '/api/jobs/999999'), 404, 'not_found', 'id');
    await expectError(await api.call('GET', '/api/jobs/abc'), 400, 'validation_error', 'id');
    await expectError(await api.call('GET', '/api/jobs/0'), 400, 'validation_error', 'id');
    await expectError(
      await api.call('GET', '/api/jobs/99999999999999999999'),
      400,
      'validation_error',
      'id',
    );
    await expectError(
      await api.call('GET', '/api/jobs/9999999999999999999'),
      400,
      'validation_error',
      'id',
    );
  });

  it('cancels, then refuses to cancel again (409), retries, and deletes', async () => {
    const { id } = await enqueue();
    const cancelled = await api.call('POST', `/api/jobs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ changed: 1, job: { id, state: 'cancelled' } });
    await expectError(await api.call('POST', `/api/jobs/${id}/cancel`), 409, 'illegal_transition');
    const retried = await (await api.call('POST', `/api/jobs/${id}/retry`)).json();
    expect(retried).toMatchObject({ changed: 1, job: { state: 'queued' } });
    expect(await (await api.call('DELETE', `/api/jobs/${id}`)).json()).toEqual({ changed: 1 });
    await expectError(await api.call('DELETE', `/api/jobs/${id}`), 404, 'not_found');
    await expectError(await api.call('POST', `/api/jobs/${id}/retry`), 404, 'not_found');
  });

  it('refuses to delete a running job (409)', async () => {
    const { id } = await enqueue();
    await api.store.jobClaim({ workerId: 'w', queues: null, limit: 1, leaseMs: 60_000 });
    await expectError(await api.call('DELETE', `/api/jobs/${id}`), 409, 'illegal_transition');
  });
});

describe('POST /api/jobs/actions', () => {
  it('acts on a list of ids and says how many changed', async () => {
    const { jobs } = await (
      await api.call('POST', '/api/jobs/batch', { json: { jobs: [send, send, send] } })
    ).json();
    const ids = jobs.map((j: { id: string }) => j.id);
    const res = await api.call('POST', '/api/jobs/actions', {
      json: { action: 'cancel', ids: [ids[0], ids[1], ids[1]] },
    });
    expect(await res.json()).toEqual({
      action: 'cancel',
      matched: 2,
      changed: 2,
      nextCursor: null,
    });
    const again = await api.call('POST', '/api/jobs/actions', { json: { action: 'cancel', ids } });
    expect(await again.json()).toMatchObject({ changed: 1 });
    const deleted = await api.call('POST', '/api/jobs/actions', {
      json: { action: 'delete', ids },
    });
    expect(await deleted.json()).toMatchObject({ changed: 3 });
  });

  it('acts on every job matching a filter', async () => {
    await api.call('POST', '/api/jobs/batch', {
      json: { jobs: [send, send, { ...send, queue: 'other' }] },
    });
    await runJobs(api.store, 0);
    const res = await api.call('POST', '/api/jobs/actions', {
      json: { action: 'retry', filter: { state: ['failed'], queue: ['default'] } },
    });
    expect(await res.json()).toEqual({ action: 'retry', matched: 2, changed: 2, nextCursor: null });
    const counts = await api.store.jobCount();
    expect(counts.byState).toMatchObject({ queued: 2, failed: 1 });
  });

  it.each([
    [{ action: 'cancel' }, 'ids'],
    [{ action: 'cancel', ids: ['1'], filter: {} }, 'ids'],
    [{ action: 'cancel', ids: [] }, 'ids'],
    [{ action: 'explode', ids: ['1'] }, 'action'],
    [{ action: 'cancel', filter: { state: ['nope'] } }, 'filter.state.0'],
    [{ action: 'cancel', ids: ['1'], cursor: 'x' }, 'cursor'],
  ])('answers 400 for %j', async (json, field) => {
    await expectError(
      await api.call('POST', '/api/jobs/actions', { json }),
      400,
      'validation_error',
      field,
    );
  });
});

describe('routes that do not exist', () => {
  it('answers 404 with the error body', async () => {
    await expectError(await api.call('GET', '/api/nope'), 404, 'not_found');
    await expectError(await api.call('PUT', '/api/nope'), 404, 'not_found');
    await expectError(await api.call('GET', '/api/jobs/1/nope'), 404, 'not_found');
  });
});

describe('defaults (MAX_RETRIES and the config)', () => {
  it('fills in the app’s defaults for jobs that do not say', async () => {
    const withDefaults = await createTestApi('jobs_defaults', {
      defaults: { retries: 7, queue: 'mail', backoff: { kind: 'fixed', delayMs: 250 } },
    });
    try {
      const res = await withDefaults.call('POST', '/api/jobs', { json: send });
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({
        maxAttempts: 8,
        queue: 'mail',
        backoff: { kind: 'fixed', delayMs: 250 },
      });
      const own = await withDefaults.call('POST', '/api/jobs/batch', {
        json: { jobs: [{ ...send, retries: 1, queue: 'other' }, send] },
      });
      expect(own.status).toBe(201);
      const { jobs } = (await own.json()) as { jobs: { maxAttempts: number; queue: string }[] };
      expect(jobs.map((j) => [j.maxAttempts, j.queue])).toEqual([
        [2, 'other'],
        [8, 'mail'],
      ]);
    } finally {
      await withDefaults.close();
    }
  });
});
