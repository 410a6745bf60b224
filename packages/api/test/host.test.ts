import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { type RunningServer, serve } from '../src/serve.js';
import { createTestApi, registry, type TestApi } from './helpers.js';
import { rawRequest } from './raw-http.js';

const TOKEN = 'host-test-token-0123456789abcdef0123';

let api: TestApi;
let server: RunningServer;

beforeAll(async () => {
  api = await createTestApi('host');
  server = await serve({ app: api.app, port: 0, hostname: '127.0.0.1' });
});
afterAll(async () => {
  await server?.close();
  await api?.close();
});

function get(path: string, host: string, headers: Record<string, string> = {}) {
  return rawRequest(`${server.url}${path}`, { headers: { Host: host, ...headers } });
}

describe('the Host header (DNS rebinding)', () => {
  it('refuses a foreign Host on every path but /healthz, saying how to allow it', async () => {
    for (const path of [
      '/api/jobs',
      '/api/events',
      '/metrics',
      '/docs',
      '/openapi.json',
      '/readyz',
      '/api/nope',
    ]) {
      const res = await get(path, `rebind.evil.example:${server.port}`);
      expect(res.status, path).toBe(421);
      expect(JSON.parse(res.body).error, path).toMatchObject({
        code: 'host_not_allowed',
        field: 'Host',
        message: expect.stringMatching(
          /Host "rebind\.evil\.example:\d+" is not allowed.*JOBS_ALLOWED_HOSTS.*api\.allowedHosts/,
        ),
      });
    }
    // /healthz says only that the process runs; probes send the pod's address as Host.
    expect((await get('/healthz', '10.1.2.3:3000')).status).toBe(200);
  });

  it('refuses a state change through a foreign Host, and nothing changes', async () => {
    const res = await rawRequest(`${server.url}/api/jobs`, {
      method: 'POST',
      headers: { Host: 'evil.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ handler: 'reports', method: 'build', params: [1] }),
    });
    expect(res.status).toBe(421);
    expect((await (await api.call('GET', '/api/jobs')).json()).jobs).toEqual([]);
  });

  it('answers loopback names with any port', async () => {
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      `LOCALHOST:${server.port}`,
      'localhost',
      '127.0.0.2:1',
      `[::1]:${server.port}`,
    ]) {
      const res = await get('/api/jobs', host);
      expect(res.status, host).toBe(200);
    }
  });

  it('answers configured hosts (options or JOBS_ALLOWED_HOSTS), by name or name:port, or any with *', async () => {
    const make = (options: { allowedHosts?: string[]; env?: Record<string, string> }) =>
      createApp({ store: api.store, handlers: registry, token: null, ...options });
    const byName = make({ allowedHosts: ['jobs.example.com', 'ops.example.com:8443'] });
    const byEnv = make({ env: { JOBS_ALLOWED_HOSTS: 'jobs.example.com, ops.example.com:8443' } });
    for (const app of [byName, byEnv]) {
      const status = async (host: string) =>
        (await app.request('/api/jobs', { headers: { Host: host } })).status;
      expect(await status('jobs.example.com')).toBe(200);
      expect(await status('JOBS.example.com:3000')).toBe(200);
      expect(await status('ops.example.com:8443')).toBe(200);
      expect(await status('ops.example.com:3000')).toBe(421);
      expect(await status('evil.jobs.example.com')).toBe(421);
      expect(await status('jobs.example.com.evil.example')).toBe(421);
      expect(await status('127.0.0.1:3000')).toBe(200);
    }
    const any = make({ allowedHosts: ['*'] });
    expect((await any.request('/api/jobs', { headers: { Host: 'whatever.example' } })).status).toBe(
      200,
    );
    expect(() => make({ allowedHosts: ['http://jobs.example.com/'] })).toThrow(
      /allowed hosts: "http:\/\/jobs\.example\.com\/" is not a host name/,
    );
  });

  it('still applies on a server with a token bound to every address', async () => {
    const guarded = createApp({ store: api.store, handlers: registry, token: TOKEN });
    await using wide = await serve({ app: guarded, port: 0, hostname: '0.0.0.0' });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const foreign = await rawRequest(`${wide.url}/api/jobs`, {
      headers: { Host: `192.0.2.10:${wide.port}`, ...auth },
    });
    expect(foreign.status).toBe(421);
    const loopback = await rawRequest(`${wide.url}/api/jobs`, { headers: auth });
    expect(loopback.status).toBe(200);
    const open = createApp({
      store: api.store,
      handlers: registry,
      token: TOKEN,
      allowedHosts: ['192.0.2.10'],
    });
    const allowed = await open.request('/api/jobs', {
      headers: { Host: `192.0.2.10:${wide.port}`, ...auth },
    });
    expect(allowed.status).toBe(200);
  });

  it('never answers 5xx to odd Host values', async () => {
    for (const host of [
      '',
      ' ',
      'a b',
      'evil.example/x',
      'user@localhost',
      '[::1',
      '::1',
      '%00',
      'localhost:99999',
      'ä.example',
    ]) {
      const res = await Promise.resolve()
        .then(() => api.app.request('/api/jobs', { headers: { Host: host } }))
        .catch(() => null);
      if (res === null) continue;
      expect(res.status, JSON.stringify(host)).toBeLessThan(500);
      const raw = await get('/api/jobs', host).catch(() => null);
      if (raw !== null) expect(raw.status, JSON.stringify(host)).toBeLessThan(500);
    }
  });
});
