import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRequiresToken, createApp } from '../src/app.js';
import { isLoopback, ServeError, serve } from '../src/serve.js';
import { createTestApi, registry, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('auth', { token: 's3cret-token' });
});
afterAll(async () => {
  await api.close();
});

describe('bearer-token auth', () => {
  it('lets /healthz through and refuses everything else without the token', async () => {
    expect((await api.call('GET', '/healthz')).status).toBe(200);
    for (const path of [
      '/api/jobs',
      '/api/stats',
      '/metrics',
      '/readyz',
      '/openapi.json',
      '/docs',
      '/api/nope',
    ]) {
      const res = await api.call('GET', path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect((await res.json()).error.code).toBe('unauthorized');
    }
  });

  it('refuses a wrong token, a token of another length, and another scheme', async () => {
    for (const value of [
      'Bearer s3cret-tokeN',
      'Bearer s3cret',
      'Bearer ',
      'Basic s3cret-token',
      's3cret-token',
    ]) {
      const res = await api.call('GET', '/api/jobs', { headers: { Authorization: value } });
      expect(res.status, value).toBe(401);
    }
  });

  it('accepts the right token', async () => {
    const res = await api.call('GET', '/api/jobs', {
      headers: { Authorization: 'Bearer s3cret-token' },
    });
    expect(res.status).toBe(200);
  });

  it('takes the token from JOBS_API_TOKEN unless given', async () => {
    const app = createApp({
      store: api.store,
      handlers: registry,
      env: { JOBS_API_TOKEN: 'env-token' },
    });
    expect((await app.request('/api/handlers')).status).toBe(401);
    const ok = await app.request('/api/handlers', {
      headers: { Authorization: 'bearer env-token' },
    });
    expect(ok.status).toBe(200);
    const open = createApp({
      store: api.store,
      handlers: registry,
      token: null,
      env: { JOBS_API_TOKEN: 'x' },
    });
    expect((await open.request('/api/handlers')).status).toBe(200);
  });
});

describe('serve', () => {
  it('refuses to listen beyond loopback without a token, with a clear error', async () => {
    const app = createApp({ store: api.store, handlers: registry, token: null });
    await expect(serve({ app, port: 0, hostname: '0.0.0.0' })).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 without a token.*JOBS_API_TOKEN/,
    );
    await expect(serve({ app, port: 0, hostname: '::' })).rejects.toThrow(/without a token/);
  });

  it('judges a wrapping app by the API it hands requests to, and names a port in use', async () => {
    const open = createApp({ store: api.store, handlers: registry, token: null });
    const guarded = createApp({
      store: api.store,
      handlers: registry,
      token: 'auth-test-token-0123456789abcdef0123',
    });
    const wrap = (inner: { fetch: (r: Request) => Response | Promise<Response> }) => ({
      fetch: (request: Request) => inner.fetch(request),
    });
    await expect(
      serve({ app: wrap(open), api: open, port: 0, hostname: '0.0.0.0' }),
    ).rejects.toMatchObject({ name: 'ServeError', code: 'needs-token' });
    // A wrapper is not an app made by createApp: on its own it counts as having no token.
    await expect(serve({ app: wrap(guarded), port: 0, hostname: '0.0.0.0' })).rejects.toThrow(
      ServeError,
    );
    await using server = await serve({
      app: wrap(guarded),
      api: guarded,
      port: 0,
      hostname: '0.0.0.0',
    });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/api/handlers`)).status).toBe(401);
    await expect(
      serve({ app: guarded, port: server.port, hostname: '0.0.0.0' }),
    ).rejects.toMatchObject({ code: 'port-in-use', message: expect.stringMatching(/in use/) });
    await server.close();
    await server.close();
  });

  it('tells loopback from the rest, and knows which apps carry a token', async () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'example.com']) {
      expect(isLoopback(host), host).toBe(false);
    }
    expect(appRequiresToken(api.app)).toBe(true);
    expect(appRequiresToken(createApp({ store: api.store, handlers: registry, token: '' }))).toBe(
      false,
    );
  });
});
