import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type TestBrowser } from './browser.js';
import { type DashboardHarness, startDashboard } from './harness.js';
import { enqueue, eventually, waitForText } from './helpers.js';

let harness: DashboardHarness;
let tb: TestBrowser;
let page: Page;
let evil: Server;
let evilUrl: string;

/** Whether the API reads the default queue as paused. */
async function defaultPaused(): Promise<boolean> {
  const { queues } = (await (await harness.api('GET', '/api/queues')).json()) as {
    queues: { name: string; paused: boolean }[];
  };
  return queues.find((q) => q.name === 'default')?.paused === true;
}

beforeAll(async () => {
  [harness, tb] = await Promise.all([startDashboard('security'), openBrowser()]);
  page = tb.page;
  // Another site the operator happens to visit: it tries to pause the default queue.
  evil = createServer((_request, response) => {
    response.setHeader('Content-Type', 'text/html');
    // The classic cross-site request: a form posted by script, which needs no preflight.
    response.end(`<!doctype html><title>evil</title>
      <form method="POST" action="${harness.url}/api/queues/default/pause"></form>
      <script>document.forms[0].submit();</script>`);
  });
  await new Promise<void>((resolve) => evil.listen(0, 'localhost', resolve));
  evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}`;
});
afterEach(() => tb.assertNoErrors());
afterAll(async () => {
  await tb?.close();
  await new Promise((resolve) => evil?.close(resolve));
  await harness?.close();
});

describe('the dashboard under its Content-Security-Policy', () => {
  it('loads, lists jobs and gets live updates with no CSP violation', async () => {
    await enqueue(harness, { handler: 'demo', method: 'quick', params: ['before'] });
    const response = await page.goto(`${harness.url}/jobs`);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    expect(response?.headers()['x-frame-options']).toBe('DENY');
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await waitForText(page.getByTestId('live-status'), /^Live$/);
    const rows = page.locator('.jobs-table tbody tr');
    await eventually(async () => expect(await rows.count()).toBe(1));
    // Live: a job enqueued elsewhere shows up without a reload.
    await enqueue(harness, { handler: 'demo', method: 'quick', params: ['after'] });
    await eventually(async () => expect(await rows.count()).toBe(2));
    // The browser's own same-origin POST passes the Origin check: pause from the overview.
    expect(await defaultPaused()).toBe(false);
    const paused = await page.evaluate(async () => {
      const token = sessionStorage.getItem('jobs.dashboard.token');
      const res = await fetch('/api/queues/default/pause', {
        method: 'POST',
        headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      });
      return res.status;
    });
    expect(paused).toBe(200);
    expect(await defaultPaused()).toBe(true);
    expect((await harness.api('POST', '/api/queues/default/resume')).status).toBe(200);
  });

  it('serves /docs under its CSP: its script runs and sends requests', async () => {
    await page.goto(`${harness.url}/docs`);
    const operation = page.locator('details', { hasText: '/api/queues/{name}/pause' }).first();
    await operation.locator('summary').click();
    await operation.locator('input[name="name"]').fill('default');
    await operation.getByRole('button', { name: 'Send' }).click();
    await waitForText(operation.locator('pre.out'), /^200 /);
    expect(await defaultPaused()).toBe(true);
    expect((await harness.api('POST', '/api/queues/default/resume')).status).toBe(200);
  });

  it('refuses a cross-site POST that another page sends from the same browser', async () => {
    expect(await defaultPaused()).toBe(false);
    const refused = tb.allowConsoleErrors(/status of 403/);
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/queues/default/pause'));
    await page.goto(evilUrl);
    const response = await answered;
    expect(response.request().method()).toBe('POST');
    expect(response.request().headers().origin).toBe(evilUrl);
    expect(response.status()).toBe(403);
    expect(await response.json()).toMatchObject({
      error: { code: 'cross_origin_refused', field: 'Sec-Fetch-Site' },
    });
    refused.done();
    expect(await defaultPaused()).toBe(false);
  });
});
