import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('methods');
});
afterAll(async () => {
  await api.close();
});

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Every route the app answers, by path with its parameters filled in, and its methods. */
async function routes(): Promise<Map<string, Set<string>>> {
  const doc = await (await api.call('GET', '/openapi.json')).json();
  const byPath = new Map<string, Set<string>>([
    ['/openapi.json', new Set(['GET'])],
    ['/docs', new Set(['GET'])],
  ]);
  const templates = Object.entries(doc.paths as Record<string, object>).map(([path, item]) => ({
    path,
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    methods: Object.keys(item).map((m) => m.toUpperCase()),
  }));
  for (const { path } of templates) {
    const concrete = path.replace('{id}', '7').replace('{name}', 'emails');
    // Every route whose template matches answers (GET /api/jobs/batch is a get by id).
    const methods = templates.filter((t) => t.pattern.test(concrete)).flatMap((t) => t.methods);
    byPath.set(concrete, new Set(methods));
  }
  return byPath;
}

describe('a known path asked with another method', () => {
  it('answers 405 with Allow listing its methods, for every route', async () => {
    const all = await routes();
    expect(all.size).toBeGreaterThan(15);
    let checked = 0;
    for (const [path, methods] of all) {
      for (const method of METHODS.filter((m) => !methods.has(m))) {
        const res = await api.call(method, path);
        const where = `${method} ${path}`;
        expect(res.status, where).toBe(405);
        const allow = (res.headers.get('allow') ?? '').split(', ');
        expect(new Set(allow), where).toEqual(methods);
        const body = await res.json();
        expect(body.error.code, where).toBe('method_not_allowed');
        expect(body.error.message, where).toContain(method);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('answers PUT /api/jobs/1 with 405, Allow: GET, DELETE', async () => {
    const res = await api.call('PUT', '/api/jobs/1');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, DELETE');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      error: {
        code: 'method_not_allowed',
        message: 'PUT is not allowed on /api/jobs/1: use GET or DELETE',
      },
    });
  });

  it('keeps 404 for paths no route has, whatever the method', async () => {
    for (const [method, path] of [
      ['GET', '/api/nope'],
      ['PUT', '/api/nope'],
      ['DELETE', '/api/jobs/1/nope'],
      ['POST', '/nope'],
    ] as const) {
      const res = await api.call(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('allow')).toBeNull();
      expect((await res.json()).error.code).toBe('not_found');
    }
  });

  it('still asks for the token first when one is set', async () => {
    const { createApp } = await import('../src/app.js');
    const { registry } = await import('./helpers.js');
    const guarded = createApp({ store: api.store, handlers: registry, token: 'x'.repeat(40) });
    const res = await guarded.request('/api/jobs/1', { method: 'PUT' });
    expect(res.status).toBe(401);
  });
});
