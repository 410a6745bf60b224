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
