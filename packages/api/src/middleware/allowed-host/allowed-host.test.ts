import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { allowedHost, hostRuleProblem, isHostAllowed, parseHost } from './allowed-host.js';

describe('allowedHost', () => {
  it('parses name[:port] and nothing else', () => {
    expect(parseHost('Example.COM:0080')).toEqual({ name: 'example.com', port: '80' });
    expect(parseHost('[::1]:3000')).toEqual({ name: '[::1]', port: '3000' });
    expect(parseHost('[::1]')).toEqual({ name: '[::1]', port: '' });
    for (const bad of ['', 'a b', 'a/b', 'u@h', 'h?x', 'h#x', '::1', '[::1', 'h:99999', 'h%00']) {
      expect(parseHost(bad), bad).toBeNull();
    }
  });

  it('allows loopback always, rules by name or name:port, and * for any', () => {
    expect(isHostAllowed('127.9.9.9:1', [])).toBe(true);
    expect(isHostAllowed('localhost', [])).toBe(true);
    expect(isHostAllowed('example.com', [])).toBe(false);
    expect(isHostAllowed('example.com:1', ['example.com'])).toBe(true);
    expect(isHostAllowed('example.com:1', ['example.com:2'])).toBe(false);
    expect(isHostAllowed('sub.example.com', ['example.com'])).toBe(false);
    expect(isHostAllowed('anything', ['*'])).toBe(true);
    expect(isHostAllowed('a b', ['*'])).toBe(false);
    expect(hostRuleProblem('https://x')).toMatch(/not a host name/);
    expect(hostRuleProblem('x.example:8080')).toBeNull();
  });

  it('answers 421 naming the Host, except on open paths', async () => {
    const app = new Hono()
      .use(allowedHost({ hosts: ['ok.example'] }))
      .get('*', (c) => c.text('ok'));
    const at = (path: string, host: string) => app.request(path, { headers: { Host: host } });
    expect((await at('/x', 'ok.example')).status).toBe(200);
    const refused = await at('/x', 'evil.example');
    expect(refused.status).toBe(421);
    expect(await refused.json()).toMatchObject({
      error: { code: 'host_not_allowed', field: 'Host' },
    });
    expect((await at('/healthz', 'evil.example')).status).toBe(200);
    expect(() => allowedHost({ hosts: ['a/b'] })).toThrow(TypeError);
  });
});
