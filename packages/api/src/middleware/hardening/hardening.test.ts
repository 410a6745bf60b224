import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { API_CSP, cspHash, pageCsp } from './csp.js';
import { hardening } from './hardening.js';

describe('hardening', () => {
  it('sets the headers on answers and errors, keeping a CSP the route set', async () => {
    const app = new Hono()
      .use(hardening({ cacheControl: 'no-store' }))
      .get('/page', (c) => {
        c.header('Content-Security-Policy', pageCsp());
        return c.html('<p>hi</p>');
      })
      .get('/boom', () => {
        throw new Error('boom');
      });
    app.onError((_error, c) => c.json({ error: 'x' }, 400));
    for (const path of ['/page', '/boom', '/missing']) {
      const res = await app.request(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      expect(res.headers.get('strict-transport-security'), path).toBeNull();
    }
    expect((await app.request('/page')).headers.get('content-security-policy')).toBe(pageCsp());
    expect((await app.request('/boom')).headers.get('content-security-policy')).toBe(API_CSP);
  });

  it('admits inline code by the SHA-256 of its exact text', () => {
    const digest = createHash('sha256').update('a{}').digest('base64');
    expect(cspHash('a{}')).toBe(`'sha256-${digest}'`);
    expect(pageCsp({ styles: ['a{}'] })).toContain(`style-src 'self' 'sha256-${digest}'`);
    expect(pageCsp()).toContain("script-src 'self'; style-src 'self'");
    expect(pageCsp()).toContain("frame-ancestors 'none'");
  });
});
