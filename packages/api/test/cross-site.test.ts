import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { type RunningServer, serve } from '../src/serve.js';
import { type AnyBody, createTestApi, registry, type TestApi } from './helpers.js';
import { rawRequest } from './raw-http.js';

let api: TestApi;
let server: RunningServer;
let jobId: string;

beforeAll(async () => {
  api = await createTestApi('cross_site');
  server = await serve({ app: api.app, port: 0, hostname: '127.0.0.1' });
  const created = await api.call('POST', '/api/jobs', {
    json: { handler: 'reports', method: 'build', params: [2024] },
  });
  jobId = (await created.json()).id;
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

async function defaultQueuePaused(): Promise<boolean> {
  const { queues } = await (await api.call('GET', '/api/queues')).json();
  const queue = queues.find((q: { name: string }) => q.name === 'default');
  return queue?.paused === true;
}

async function jobState(): Promise<string> {
  return (await (await api.call('GET', `/api/jobs/${jobId}`)).json()).state;
}

describe('state-changing requests from another site', () => {
  it('refuses the curl reproduction: POST pause with a foreign Origin, and the queue stays running', async () => {
    const res = await rawRequest(`${server.url}/api/queues/default/pause`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error).toMatchObject({
      code: 'cross_origin_refused',
      field: 'Origin',
      message: expect.stringMatching(
        /Origin "http:\/\/evil\.example" is not this server.*JOBS_ALLOWED_ORIGINS/,
      ),
    });
    expect(await defaultQueuePaused()).toBe(false);
  });

  it('refuses cancel and retry from a foreign Origin, and the job is untouched', async () => {
    for (const action of ['cancel', 'retry']) {
      const res = await fetch(`${server.url}/api/jobs/${jobId}/${action}`, {
        method: 'POST',
        headers: { Origin: 'https://evil.example' },
      });
      expect(res.status, action).toBe(403);
    }
    const deleted = await fetch(`${server.url}/api/jobs/${jobId}`, {
      method: 'DELETE',
      headers: { Origin: 'null' },
    });
    expect(deleted.status).toBe(403);
    expect(await jobState()).toBe('queued');
  });

  it('refuses what the browser marks Sec-Fetch-Site: cross-site, Origin or not', async () => {
    const res = await fetch(`${server.url}/api/jobs/${jobId}/cancel`, {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as AnyBody).error).toMatchObject({
      code: 'cross_origin_refused',
      field: 'Sec-Fetch-Site',
    });
    expect(await jobState()).toBe('queued');
  });

  it('lets a same-origin POST through, as the dashboard sends it', async () => {
    const paused = await fetch(`${server.url}/api/queues/default/pause`, {
      method: 'POST',
      headers: { Origin: server.url, 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(paused.status).toBe(200);
    expect(await defaultQueuePaused()).toBe(true);
    const localhost = await rawRequest(`${server.url}/api/queues/default/resume`, {
      method: 'POST',
      headers: { Host: `localhost:${server.port}`, Origin: `http://localhost:${server.port}` },
    });
    expect(localhost.status).toBe(200);
    expect(await defaultQueuePaused()).toBe(false);
  });

  it('lets a POST without Origin through (curl, the CLI, another server)', async () => {
    const res = await rawRequest(`${server.url}/api/queues/default/pause`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await defaultQueuePaused()).toBe(true);
    expect(
      (await fetch(`${server.url}/api/queues/default/resume`, { method: 'POST' })).status,
    ).toBe(200);
    expect(await defaultQueuePaused()).toBe(false);
  });

  it('lets GET from anywhere through (reading needs CORS, which this server does not grant)', async () => {
    const res = await fetch(`${server.url}/api/jobs`, {
      headers: { Origin: 'http://evil.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets configured origins through, from the options or JOBS_ALLOWED_ORIGINS', async () => {
    const fromOptions = createApp({
      store: api.store,
      handlers: registry,
      token: null,
      allowedOrigins: ['https://admin.example.com'],
    });
    const fromEnv = createApp({
      store: api.store,
      handlers: registry,
      token: null,
      env: { JOBS_ALLOWED_ORIGINS: ' https://other.example , https://ADMIN.example.com:443 ' },
    });
    for (const app of [fromOptions, fromEnv]) {
      const ok = await app.request('/api/queues/default/pause', {
        method: 'POST',
        headers: { Origin: 'https://admin.example.com', 'Sec-Fetch-Site': 'cross-site' },
      });
      expect(ok.status).toBe(200);
      expect(await defaultQueuePaused()).toBe(true);
      await api.call('POST', '/api/queues/default/resume');
      const refused = await app.request('/api/queues/default/pause', {
        method: 'POST',
        headers: { Origin: 'https://admin.example.com.evil.example' },
      });
      expect(refused.status).toBe(403);
      expect(await defaultQueuePaused()).toBe(false);
    }
    expect(() =>
      createApp({
        store: api.store,
        handlers: registry,
        allowedOrigins: ['https://a.example/path'],
      }),
    ).toThrow(/allowed origins: "https:\/\/a\.example\/path" is not an origin/);
  });

  it('never answers 5xx to odd Origin values, and lets through only this server', async () => {
    const port = server.port;
    const cases: [string, number][] = [
      ['null', 403],
      ['garbage', 403],
      ['http://ä.example', 403],
      ['http://', 403],
      ['http://127.0.0.1', 403],
      [`http://127.0.0.1:${port}/`, 403],
      [`http://127.0.0.1:${port}/api`, 403],
      [`http://user@127.0.0.1:${port}`, 403],
      [`http://127.0.0.1:${port}.evil.example`, 403],
      [`http://[::1]:${port}`, 403],
      ['http://[::1', 403],
      [`javascript://127.0.0.1:${port}`, 403],
      [`HTTP://127.0.0.1:${port}`, 200],
      [`http://127.0.0.1:${port}`, 200],
    ];
    for (const [origin, status] of cases) {
      const res = await rawRequest(`${server.url}/api/queues/default/resume`, {
        method: 'POST',
        headers: { Origin: origin },
      });
      expect(res.status, origin).toBe(status);
      expect(JSON.parse(res.body), origin).toBeTypeOf('object');
    }
    const ipv6 = await api.app.request('/api/queues/default/resume', {
      method: 'POST',
      headers: { Host: `[::1]:${port}`, Origin: `http://[::1]:${port}` },
    });
    expect(ipv6.status).toBe(200);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 20 }),
        async (origin, site) => {
          const res = await Promise.resolve()
            .then(() =>
              api.app.request('/api/queues/default/resume', {
                method: 'POST',
                headers: { Origin: origin, 'Sec-Fetch-Site': site },
              }),
            )
            .catch(() => null);
          // Headers the platform refuses to build are not requests at all.
          if (res === null) return;
          expect(res.status).toBeLessThan(500);
          expect([200, 403]).toContain(res.status);
        },
      ),
      { numRuns: 200 },
    );
    expect(await defaultQueuePaused()).toBe(false);
  });
});
