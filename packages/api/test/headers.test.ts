import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createTestApi, registry, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('headers');
});
afterAll(async () => {
  await api?.close();
});

/** Asserts the hardening every answer of the API carries. */
function expectHardened(res: Response, what: string): void {
  const h = res.headers;
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('x-frame-options'), what).toBe('DENY');
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('cache-control'), what).toBe('no-store');
  expect(h.get('content-security-policy'), what).toMatch(/frame-ancestors 'none'/);
  expect(h.get('strict-transport-security'), what).toBeNull();
}

describe('hardening headers', () => {
  it('are on answers, errors and refusals alike', async () => {
    const cases: [string, Response][] = [
      ['GET /api/jobs', await api.app.request('/api/jobs')],
      ['GET /healthz', await api.app.request('/healthz')],
      ['GET /metrics', await api.app.request('/metrics')],
      ['GET /openapi.json', await api.app.request('/openapi.json')],
      ['404', await api.app.request('/api/nope')],
      ['wrong method', await api.app.request('/api/stats', { method: 'DELETE' })],
      ['400', await api.app.request('/api/jobs?limit=-1')],
      [
        'invalid json',
        await api.app.request('/api/jobs', {
          method: 'POST',
          body: '{',
          headers: { 'Content-Type': 'application/json' },
        }),
      ],
      ['421', await api.app.request('/api/jobs', { headers: { Host: 'evil.example' } })],
      [
        '403',
        await api.app.request('/api/jobs/1/cancel', {
          method: 'POST',
          headers: { Origin: 'http://evil.example' },
        }),
      ],
    ];
    for (const [what, res] of cases) {
      expect(res.status, what).toBeLessThan(500);
      expectHardened(res, what);
    }
    const json = cases[0]?.[1];
    expect(json?.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    );
    const guarded = createApp({
      store: api.store,
      handlers: registry,
      token: 'headers-token-0123456789abcdef0123',
    });
    const refused = await guarded.request('/api/jobs');
    expect(refused.status).toBe(401);
    expectHardened(refused, '401');
  });

  it('are on the event stream', async () => {
    const controller = new AbortController();
    const res = await api.app.request('/api/events', { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/event-stream/);
    expectHardened(res, 'events');
    controller.abort();
    await res.body?.cancel().catch(() => {});
  });

  it('give /docs a CSP that admits exactly its own inline script and style', async () => {
    const res = await api.app.request('/docs');
    expectHardened(res, '/docs');
    const csp = res.headers.get('content-security-policy') ?? '';
    const html = await res.text();
    const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `)) ?? '';
    expect(directive('script-src')).toBe(`script-src 'self' ${sha(script ?? '')}`);
    expect(directive('style-src')).toBe(`style-src 'self' ${sha(style ?? '')}`);
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  });
});
