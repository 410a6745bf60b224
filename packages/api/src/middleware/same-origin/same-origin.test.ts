import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isSameOrigin, normalizeOrigin, sameOrigin } from './same-origin.js';

describe('sameOrigin', () => {
  it('takes only scheme://host[:port] as an origin', () => {
    expect(normalizeOrigin('HTTPS://Admin.Example.com:443')).toBe('https://admin.example.com');
    expect(normalizeOrigin('http://[::1]:3000')).toBe('http://[::1]:3000');
    for (const bad of [
      'null',
      '',
      'x',
      'http://a/',
      'http://a/b',
      'http://u@a',
      'ftp://a',
      'http://a?b',
    ]) {
      expect(normalizeOrigin(bad), bad).toBeNull();
    }
  });

  it('compares the origin with the Host, default ports included', () => {
    expect(isSameOrigin('http://localhost:3000', 'localhost:3000')).toBe(true);
    expect(isSameOrigin('https://jobs.example', 'jobs.example:443')).toBe(true);
    expect(isSameOrigin('http://localhost:3000', 'localhost:3001')).toBe(false);
    expect(isSameOrigin('http://localhost:3000', '127.0.0.1:3000')).toBe(false);
    expect(isSameOrigin('http://a', 'a/b')).toBe(false);
  });

  it('refuses foreign state changes with 403 and lets safe methods and no-Origin requests by', async () => {
    const app = new Hono()
      .use(sameOrigin({ origins: ['https://admin.example'] }))
      .all('*', (c) => c.text('ok'));
    const call = (method: string, headers: Record<string, string>) =>
      app.request('http://jobs.local:3000/x', { method, headers });
    expect((await call('GET', { Origin: 'http://evil' })).status).toBe(200);
    expect((await call('POST', {})).status).toBe(200);
    expect((await call('POST', { Origin: 'http://jobs.local:3000' })).status).toBe(200);
    expect((await call('PATCH', { Origin: 'https://admin.example' })).status).toBe(200);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND']) {
      const res = await call(method, { Origin: 'http://evil' });
      expect(res.status, method).toBe(403);
      expect(await res.json()).toMatchObject({
        error: { code: 'cross_origin_refused', field: 'Origin' },
      });
    }
    expect((await call('POST', { 'Sec-Fetch-Site': 'Cross-Site' })).status).toBe(403);
    expect(
      (await call('POST', { 'Sec-Fetch-Site': 'same-site', Origin: 'http://evil' })).status,
    ).toBe(403);
    expect(() => sameOrigin({ origins: ['https://a/b'] })).toThrow(TypeError);
  });
});
