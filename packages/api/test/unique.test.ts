import { JOB_STATES } from '@jobs/core';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, runJobs, type TestApi } from './helpers.js';

let api: TestApi;
let secured: TestApi;
const unexpected: unknown[] = [];

beforeAll(async () => {
  api = await createTestApi('unique', { onError: (error) => unexpected.push(error) });
  secured = await createTestApi('unique_auth', { token: 'unique-token-unique-token-unique-42' });
});
beforeEach(async () => {
  await api.schema.truncate();
});
afterAll(async () => {
  await api.close();
  await secured.close();
  expect(unexpected).toEqual([]);
});

const send = { handler: 'mailer', method: 'send', params: ['ann@example.com', 'Hi'] };
const enqueue = (json: object) => api.call('POST', '/api/jobs', { json });

async function expectField(res: Response, field: string) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { code: string; field?: string } };
  expect(body.error).toMatchObject({ code: 'validation_error', field });
}

describe('POST /api/jobs with a unique key', () => {
  it('answers 201 created: true, then 200 created: false with the unchanged holder', async () => {
    const first = await enqueue({ ...send, uniqueKey: 'welcome:1' });
    expect(first.status).toBe(201);
    const made = await first.json();
    expect(made).toMatchObject({ created: true, uniqueKey: 'welcome:1', priority: 0 });
    const again = await enqueue({
      ...send,
      params: ['bob@example.com', 'Other'],
      priority: 9,
      uniqueKey: 'welcome:1',
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ...made, created: false });
    const plain = await enqueue(send);
    expect(plain.status).toBe(201);
    expect((await plain.json()).created).toBe(true);
    expect((await api.store.jobList({ limit: 10 })).jobs).toHaveLength(2);
  });

  it('uniqueFor: a completed holder answers inside the window; without it a new job is made', async () => {
    const made = await (await enqueue({ ...send, uniqueKey: 'digest' })).json();
    await runJobs(api.store, 1);
    const inside = await enqueue({ ...send, uniqueKey: 'digest', uniqueFor: 3600 });
    expect(inside.status).toBe(200);
    expect(await inside.json()).toMatchObject({ id: made.id, state: 'completed', created: false });
    const plain = await enqueue({ ...send, uniqueKey: 'digest' });
    expect(plain.status).toBe(201);
  });

  it('uniqueStates: a failed holder counts only when failed is listed', async () => {
    const made = await (await enqueue({ ...send, uniqueKey: 'import' })).json();
    await runJobs(api.store, 0);
    const listed = await enqueue({ ...send, uniqueKey: 'import', uniqueStates: ['failed'] });
    expect(listed.status).toBe(200);
    expect((await listed.json()).id).toBe(made.id);
    const other = await enqueue({ ...send, uniqueKey: 'import', uniqueStates: ['completed'] });
    expect(other.status).toBe(201);
  });

  it.each([
    ['uniqueFor without a key', { uniqueFor: 60 }, 'uniqueFor'],
    ['uniqueStates without a key', { uniqueStates: ['completed'] }, 'uniqueStates'],
    ['a zero window', { uniqueKey: 'k', uniqueFor: 0 }, 'uniqueFor'],
    ['a window over a year', { uniqueKey: 'k', uniqueFor: 400 * 86400 }, 'uniqueFor'],
    ['a window as text', { uniqueKey: 'k', uniqueFor: '60' }, 'uniqueFor'],
    ['states as text', { uniqueKey: 'k', uniqueStates: 'completed' }, 'uniqueStates'],
    ['an unknown state', { uniqueKey: 'k', uniqueStates: ['completed', 'done'] }, 'uniqueStates.1'],
    ['a nested state', { uniqueKey: 'k', uniqueStates: [[['completed']]] }, 'uniqueStates.0'],
    [
      'too many states',
      { uniqueKey: 'k', uniqueStates: Array(JOB_STATES.length + 1).fill('queued') },
      'uniqueStates',
    ],
    ['a NUL in the key', { uniqueKey: 'a\u0000b' }, 'uniqueKey'],
    ['a lone surrogate in the key', { uniqueKey: 'a\ud800b' }, 'uniqueKey'],
    ['a huge key', { uniqueKey: 'k'.repeat(100_000) }, 'uniqueKey'],
  ])('answers 400 naming the field for %s', async (_name, options, field) => {
    await expectField(await enqueue({ ...send, ...options }), field);
  });

  it('needs the token', async () => {
    const res = await secured.call('POST', '/api/jobs', { json: { ...send, uniqueKey: 'k' } });
    expect(res.status).toBe(401);
    const ok = await secured.call('POST', '/api/jobs', {
      json: { ...send, uniqueKey: 'k', uniqueFor: 5 },
      headers: { authorization: 'Bearer unique-token-unique-token-unique-42' },
    });
    expect(ok.status).toBe(201);
  });

  it('never answers 5xx to odd unique options (fuzz)', async () => {
    const odd = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.double(),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('completed', 'failed'))),
      fc.object({ maxDepth: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(odd, odd, odd, async (uniqueKey, uniqueFor, uniqueStates) => {
        const res = await enqueue({ ...send, uniqueKey, uniqueFor, uniqueStates });
        expect([200, 201, 400]).toContain(res.status);
        if (res.status !== 400) expect(typeof (await res.json()).created).toBe('boolean');
      }),
      { numRuns: 60 },
    );
  });
});

describe('POST /api/jobs/batch with unique keys', () => {
  it('reports each item, with counts; 200 when every job was deduplicated', async () => {
    const held = await (await enqueue({ ...send, uniqueKey: 'held' })).json();
    const res = await api.call('POST', '/api/jobs/batch', {
      json: {
        jobs: [
          { ...send, uniqueKey: 'a' },
          { ...send, uniqueKey: 'held' },
          send,
          { ...send, uniqueKey: 'a', params: ['x@example.com', 'Later'] },
        ],
      },
    });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.jobs.map((j: { created: boolean }) => j.created)).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(body).toMatchObject({ created: 2, deduplicated: 2 });
    expect(body.jobs[1].id).toBe(held.id);
    expect(body.jobs[3].id).toBe(body.jobs[0].id);
    const again = await api.call('POST', '/api/jobs/batch', {
      json: {
        jobs: [
          { ...send, uniqueKey: 'a' },
          { ...send, uniqueKey: 'held' },
        ],
      },
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: 0, deduplicated: 2 });
  });

  it('names the item of a bad unique option', async () => {
    const res = await api.call('POST', '/api/jobs/batch', {
      json: { jobs: [send, { ...send, uniqueFor: 60 }] },
    });
    await expectField(res, 'jobs.1.uniqueFor');
  });
});

describe('the OpenAPI document', () => {
  it('declares 201 and 200 for enqueues, with the created flag', async () => {
    const doc = await (await api.call('GET', '/openapi.json')).json();
    const one = doc.paths['/api/jobs'].post.responses;
    expect(Object.keys(one)).toEqual(expect.arrayContaining(['200', '201']));
    const [job, flag] = doc.components.schemas.EnqueuedJob.allOf;
    expect(job.$ref).toBe('#/components/schemas/Job');
    expect(flag.properties.created.type).toBe('boolean');
    expect(flag.required).toEqual(['created']);
    expect(Object.keys(doc.paths['/api/jobs/batch'].post.responses)).toEqual(
      expect.arrayContaining(['200', '201']),
    );
    const request = doc.components.schemas.EnqueueRequest.properties;
    expect(request.uniqueFor).toBeDefined();
    expect(request.uniqueStates.items.enum).toContain('completed');
  });
});
