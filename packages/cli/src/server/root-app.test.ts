import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootApp, type FetchApp } from './root-app.js';

/** An API stand-in that echoes what it received. */
const api: FetchApp = {
  async fetch(request) {
    const body = request.method === 'POST' ? await request.text() : '';
    return Response.json({ api: true, path: new URL(request.url).pathname, body });
  },
};

describe('the root app of jobs start / serve', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-dashboard-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>dash</title>');
    await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends API paths to the API and everything else to the dashboard', async () => {
    const app = createRootApp({ api, dashboardDir: dir });
    for (const path of ['/api/jobs', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      expect(await (await app.request(path)).json()).toMatchObject({ api: true, path });
    }
    const index = await app.request('/');
    expect(await index.text()).toContain('<title>dash</title>');
    const deep = await app.request('/jobs/42');
    expect(await deep.text()).toContain('<title>dash</title>');
    const asset = await app.request('/assets/app-1234.js');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await app.request('/assets/missing.js')).status).toBe(404);
    expect((await app.request('/../../etc/passwd')).status).not.toBe(500);
  });

  it('says the dashboard is not built when there is none', async () => {
    const app = createRootApp({ api, dashboardDir: null });
    const page = await app.request('/');
    expect(await page.text()).toMatch(
      /dashboard is not built[\s\S]*href="\/docs"[\s\S]*href="\/api\/jobs"/,
    );
    expect(await (await app.request('/elsewhere')).json()).toMatchObject({ api: true });
  });
});

describe('the root app guards the dashboard as the API guards itself', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-dashboard-guard-'));
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>dash</title>');
    await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a foreign Host on dashboard paths, and answers loopback and configured hosts', async () => {
    const app = createRootApp({ api, dashboardDir: dir, allowedHosts: ['jobs.example.com'] });
    for (const path of ['/', '/jobs/42', '/assets/app-1234.js', '/assets/missing.js']) {
      const res = await app.request(path, { headers: { Host: 'rebind.evil.example:3000' } });
      expect(res.status, path).toBe(421);
      expect(await res.json()).toMatchObject({
        error: {
          code: 'host_not_allowed',
          field: 'Host',
          message: expect.stringMatching(/JOBS_ALLOWED_HOSTS/),
        },
      });
    }
    for (const host of [
      'localhost:3000',
      '127.0.0.1:3000',
      '[::1]:3000',
      'jobs.example.com:3000',
    ]) {
      const res = await app.request('/', { headers: { Host: host } });
      expect(res.status, host).toBe(200);
      expect(await res.text()).toContain('<title>dash</title>');
    }
  });

  it('puts the hardening headers and the dashboard CSP on its files, pages and 404s', async () => {
    const app = createRootApp({ api, dashboardDir: dir });
    for (const path of ['/', '/jobs/42', '/assets/app-1234.js', '/assets/missing.js']) {
      const res = await app.request(path);
      const h = res.headers;
      expect(h.get('x-content-type-options'), path).toBe('nosniff');
      expect(h.get('x-frame-options'), path).toBe('DENY');
      expect(h.get('referrer-policy'), path).toBe('no-referrer');
      expect(h.get('content-security-policy'), path).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
          "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " +
          "form-action 'self'; frame-ancestors 'none'",
      );
    }
    // Hashed assets stay cacheable; the API's own answers keep the API's headers.
    expect((await app.request('/assets/app-1234.js')).headers.get('cache-control')).toMatch(
      /immutable/,
    );
    const apiWithCsp: FetchApp = {
      fetch: () =>
        new Response('{}', { headers: { 'Content-Security-Policy': "default-src 'none'" } }),
    };
    const proxied = await createRootApp({ api: apiWithCsp, dashboardDir: dir }).request(
      '/api/jobs',
    );
    expect(proxied.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(proxied.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('gives the not-built page a CSP admitting exactly its inline style', async () => {
    const app = createRootApp({ api, dashboardDir: null });
    const res = await app.request('/');
    const html = await res.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const sha = createHash('sha256').update(style).digest('base64');
    expect(res.headers.get('content-security-policy')).toContain(
      `style-src 'self' 'sha256-${sha}'`,
    );
    expect((await app.request('/', { headers: { Host: 'evil.example' } })).status).toBe(421);
  });
});
