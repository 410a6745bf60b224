import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ServeError, serve } from '../src/serve.js';
import { createTestApi, registry, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('token_length');
});
afterAll(async () => {
  await api?.close();
});

describe('the length of the API token', () => {
  it('refuses to start with a token shorter than 32 characters, saying how to make one', async () => {
    for (const token of ['secret', 'x'.repeat(31), '😀'.repeat(20)]) {
      const app = createApp({ store: api.store, handlers: registry, token });
      const started = serve({ app, port: 0, hostname: '127.0.0.1' });
      await expect(started, token).rejects.toBeInstanceOf(ServeError);
      await expect(started, token).rejects.toMatchObject({
        code: 'weak-token',
        message: expect.stringMatching(
          /token is \d+ characters long; it needs at least 32.*openssl rand -hex 32/,
        ),
      });
    }
    const fromEnv = createApp({
      store: api.store,
      handlers: registry,
      env: { JOBS_API_TOKEN: 'short-env-token' },
    });
    await expect(serve({ app: fromEnv, port: 0 })).rejects.toMatchObject({ code: 'weak-token' });
  });

  it('judges a wrapping app by its API, and starts with a token of 32 characters', async () => {
    const weak = createApp({ store: api.store, handlers: registry, token: 'short' });
    const wrap = { fetch: (request: Request) => weak.fetch(request) };
    await expect(serve({ app: wrap, api: weak, port: 0 })).rejects.toMatchObject({
      code: 'weak-token',
    });
    const token = 'a'.repeat(32);
    const app = createApp({ store: api.store, handlers: registry, token });
    await using server = await serve({ app, port: 0, hostname: '127.0.0.1' });
    const res = await fetch(`${server.url}/api/jobs`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
