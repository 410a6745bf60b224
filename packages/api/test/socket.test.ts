import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../src/client.js';
import { serve } from '../src/serve.js';
import { createTestApi, type TestApi } from './helpers.js';
import { sseReader } from './sse.js';

/** At least 32 characters: serve refuses shorter tokens. */
const TOKEN = 'socket-test-token-0123456789abcdef';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('socket', { token: TOKEN });
});
afterAll(async () => {
  await api.close();
});

describe('over a real socket', () => {
  it('serves the typed client, the event stream and the docs, then closes cleanly', async () => {
    const server = await serve({ app: api.app, port: 0, hostname: '127.0.0.1' });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = createApiClient(server.url, { token: TOKEN });

      const events = await fetch(`${server.url}/api/events?types=created`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      const sse = sseReader(events.body!);
      expect((await sse.nextEvent()).event).toBe('ready');

      const created = await client.api.jobs.$post({
        json: { handler: 'reports', method: 'build', params: [2026], priority: 3 },
      });
      expect(created.status).toBe(201);
      if (created.status !== 201) throw new Error('not created');
      const job = await created.json();
      expect(job).toMatchObject({ handler: 'reports', priority: 3, state: 'queued' });

      const frame = await sse.nextEvent();
      expect(frame.event).toBe('created');
      expect(JSON.parse(frame.data ?? '')).toEqual({ ids: [job.id], state: 'queued' });

      const page = await client.api.jobs.$get({ query: { handler: 'reports', method: 'build' } });
      expect(page.status).toBe(200);
      if (page.status === 200) expect((await page.json()).jobs.map((j) => j.id)).toEqual([job.id]);

      const missing = await client.api.jobs[':id'].$get({ param: { id: '424242' } });
      expect(missing.status).toBe(404);
      if (missing.status === 404) expect((await missing.json()).error.code).toBe('not_found');

      const anonymous = createApiClient(server.url);
      expect((await anonymous.api.jobs.$get({ query: {} })).status).toBe(401);
      expect((await anonymous.healthz.$get()).status).toBe(200);

      const docs = await fetch(`${server.url}/docs`, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      const html = await docs.text();
      expect(docs.headers.get('content-type')).toMatch(/text\/html/);
      expect(html).toContain('/api/jobs/{id}/cancel');
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
