import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

let api: TestApi;
let secured: TestApi;
const unexpected: unknown[] = [];

beforeAll(async () => {
  api = await createTestApi('schedules', { onError: (error) => unexpected.push(error) });
  secured = await createTestApi('schedules_auth', { token: 's3cret-token' });
});
afterAll(async () => {
  await api.close();
  await secured.close();
});

const nightly = {
  name: 'nightly',
  cron: '30 2 * * *',
  timezone: 'Europe/Berlin',
  handler: 'reports',
  method: 'build',
  params: [2026],
};

describe('schedules over HTTP', () => {
  it('creates, lists, shows (next 5 ticks, recent jobs), pauses, resumes, triggers, replaces and deletes', async () => {
    const created = await api.call('POST', '/api/schedules', { json: nightly });
    expect(created.status).toBe(201);
    const { schedule } = await created.json();
    expect(schedule).toMatchObject({
      name: 'nightly',
      timezone: 'Europe/Berlin',
      catchUp: 'last',
      status: 'active',
      source: 'api',
      lastTick: null,
      lastJob: null,
    });
    expect(schedule.nextTick).toMatch(/T0[01]:30:00.000Z$/);
    expect((await api.call('POST', '/api/schedules', { json: nightly })).status).toBe(409);

    const list = await (await api.call('GET', '/api/schedules')).json();
    expect(list.schedules.map((s: { name: string }) => s.name)).toEqual(['nightly']);

    const triggered = await api.call('POST', '/api/schedules/nightly/trigger');
    expect(triggered.status).toBe(201);
    const { job } = await triggered.json();
    expect(job).toMatchObject({
      handler: 'reports',
      method: 'build',
      params: [2026],
      schedule: { name: 'nightly', tick: null },
    });
    // The job detail shows which schedule made it.
    expect((await (await api.call('GET', `/api/jobs/${job.id}`)).json()).schedule).toEqual({
      name: 'nightly',
      tick: null,
    });

    const detail = await (await api.call('GET', '/api/schedules/nightly')).json();
    expect(detail.nextTicks).toHaveLength(5);
    expect(detail.recentJobs.map((j: { id: string }) => j.id)).toEqual([job.id]);
    expect(detail.lastJob).toMatchObject({ id: job.id, state: 'queued' });

    const paused = await (await api.call('POST', '/api/schedules/nightly/pause')).json();
    expect(paused.schedule).toMatchObject({ status: 'paused', enabled: false });
    expect((await (await api.call('GET', '/api/schedules/nightly')).json()).nextTicks).toEqual([]);
    const resumed = await (await api.call('POST', '/api/schedules/nightly/resume')).json();
    expect(resumed.schedule.status).toBe('active');

    const { name: _, ...definition } = nightly;
    const replaced = await api.call('PUT', '/api/schedules/nightly', {
      json: { ...definition, cron: '@hourly', catchUp: 'all' },
    });
    expect(replaced.status).toBe(200);
    expect((await replaced.json()).schedule).toMatchObject({ cron: '@hourly', catchUp: 'all' });

    expect((await api.call('DELETE', '/api/schedules/nightly')).status).toBe(200);
    expect((await api.call('GET', '/api/schedules/nightly')).status).toBe(404);
    // Its jobs stay.
    expect((await api.call('GET', `/api/jobs/${job.id}`)).status).toBe(200);
  });

  it('refuses to edit or delete a schedule of jobs.config.ts (409), but pauses it', async () => {
    await api.store.scheduleSync({
      schedules: [{ ...nightly, name: 'from-config', options: {}, catchUp: 'last', enabled: null }],
    });
    const { name: _, ...definition } = nightly;
    const put = await api.call('PUT', '/api/schedules/from-config', { json: definition });
    expect(put.status).toBe(409);
    expect((await put.json()).error.message).toMatch(/jobs\.config\.ts/);
    expect((await api.call('DELETE', '/api/schedules/from-config')).status).toBe(409);
    expect((await api.call('POST', '/api/schedules/from-config/pause')).status).toBe(200);
  });

  it('answers bad input with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...nightly, name: 'bad-cron', cron: '61 * * * *' }, 'cron'],
      [{ ...nightly, name: 'bad-tz', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ ...nightly, name: 'bad-handler', handler: 'nobody' }, 'handler'],
      [{ ...nightly, name: 'bad-method', method: 'toString' }, 'method'],
      [{ ...nightly, name: 'bad-params', params: [] }, 'params'],
      [
        {
          ...nightly,
          name: 'bad-schema',
          handler: 'mailer',
          method: 'send',
          params: ['nope', 'x'],
        },
        'params.0',
      ],
      [{ ...nightly, name: 'bad-option', options: { priority: 'high' } }, 'options.priority'],
      [{ ...nightly, name: 'bad-delay', options: { delay: 5 } }, 'options.delay'],
      [{ ...nightly, name: 'bad-catch-up', catchUp: 'some' }, 'catchUp'],
      [{ ...nightly, name: 'a/b' }, 'name'],
      [{ ...nightly, name: 'nul', params: ['a\u0000'] }, 'params'],
      [{ ...nightly, name: 'lone', params: ['\uD800'] }, 'params'],
      [{ ...nightly, name: 'tag', options: { tags: ['\u0000'] } }, 'options.tags.0'],
      [{ ...nightly, name: 'extra', colour: 'red' }, 'colour'],
    ];
    for (const [json, field] of cases) {
      const res = await api.call('POST', '/api/schedules', { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await res.json()).error.field, JSON.stringify(json)).toBe(field);
    }
    const deep = `${'['.repeat(5_000)}1${']'.repeat(5_000)}`;
    const nested = await api.call('POST', '/api/schedules', {
      body: JSON.stringify({ ...nightly, name: 'deep', params: ['DEEP'] }).replace('"DEEP"', deep),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(nested.status).toBe(400);
    const huge = await api.call('POST', '/api/schedules', {
      json: { ...nightly, name: 'huge', params: ['x'.repeat(3 * 1024 * 1024)] },
    });
    expect(huge.status).toBe(413);
    expect((await api.call('GET', '/api/schedules/nope')).status).toBe(404);
    expect((await api.call('POST', '/api/schedules/nope/trigger')).status).toBe(404);
    expect((await api.call('GET', '/api/schedules/a%00b')).status).toBe(400);
    expect(unexpected).toEqual([]);
  });

  it('answers 405 with Allow on known paths', async () => {
    const put = await api.call('PUT', '/api/schedules');
    expect(put.status).toBe(405);
    expect(put.headers.get('Allow')).toBe('GET, POST');
    const patch = await api.call('PATCH', '/api/schedules/nightly');
    expect(patch.status).toBe(405);
    expect(patch.headers.get('Allow')).toBe('GET, PUT, DELETE');
    const get = await api.call('GET', '/api/schedules/nightly/trigger');
    expect(get.status).toBe(405);
    expect(get.headers.get('Allow')).toBe('POST');
  });

  it('requires the bearer token on every schedule route', async () => {
    for (const [method, path] of [
      ['GET', '/api/schedules'],
      ['POST', '/api/schedules'],
      ['GET', '/api/schedules/x'],
      ['PUT', '/api/schedules/x'],
      ['DELETE', '/api/schedules/x'],
      ['POST', '/api/schedules/x/pause'],
      ['POST', '/api/schedules/x/resume'],
      ['POST', '/api/schedules/x/trigger'],
    ] as const) {
      const init = method === 'GET' || method === 'DELETE' ? {} : { json: nightly };
      expect((await secured.call(method, path, init)).status, `${method} ${path}`).toBe(401);
    }
    const ok = await secured.call('GET', '/api/schedules', {
      headers: { Authorization: 'Bearer s3cret-token' },
    });
    expect(ok.status).toBe(200);
  });

  it('never answers 5xx to random bodies and names (a small fuzz)', async () => {
    const key = fc.constantFrom(
      'name',
      'cron',
      'timezone',
      'handler',
      'method',
      'params',
      'options',
      'catchUp',
      'enabled',
      'x',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })),
        fc.string({ maxLength: 80 }),
        fc.constantFrom('POST', 'PUT', 'GET', 'DELETE'),
        async (body, name, method) => {
          const path =
            method === 'POST' ? '/api/schedules' : `/api/schedules/${encodeURIComponent(name)}`;
          const res = await api.call(
            method,
            path,
            method === 'GET' || method === 'DELETE' ? {} : { json: body },
          );
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect((await res.json()).error.code).toEqual(expect.any(String));
        },
      ),
      { numRuns: 150 },
    );
    expect(unexpected).toEqual([]);
  });
});
