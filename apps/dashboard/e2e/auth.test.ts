import type { Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './axe.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { type DashboardHarness, startDashboard } from './harness.js';
import { enqueue, waitForText } from './helpers.js';

/** At least 32 characters: `jobs start` refuses shorter tokens. */
const TOKEN = 'e2e-secret-token-0123456789abcdef42';

let harness: DashboardHarness;
let tb: TestBrowser;
let page: Page;
const requests: string[] = [];

beforeAll(async () => {
  [harness, tb] = await Promise.all([startDashboard('auth', { token: TOKEN }), openBrowser()]);
  page = tb.page;
  page.on('request', (request: Request) => requests.push(request.url()));
});
afterEach(() => tb.assertNoErrors());
afterAll(async () => {
  await tb?.close();
  await harness?.close();
});

describe('the dashboard behind a token', () => {
  it('asks for the token, keeps it out of every URL, and signs out', async () => {
    const refused = tb.allowConsoleErrors(/status of 401/);
    await page.goto(`${harness.url}/jobs`);
    await page.getByRole('heading', { name: 'Sign in to Jobs' }).waitFor();
    await tb.screenshot('sign-in');
    const input = page.getByLabel('API token');
    await input.fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.getByRole('alert'), /The API refused this token\./);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await expectAccessible(page, `the sign-in page with an error (${colorScheme})`);
    }
    await page.emulateMedia({ colorScheme: null });
    await input.fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    refused.done();
    await waitForText(page.getByTestId('live-status'), /^Live$/);
    expect(await page.evaluate(() => sessionStorage.getItem('jobs.dashboard.token'))).toBe(TOKEN);

    // Still signed in after a reload (this tab's session storage).
    await page.reload();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    expect(requests.filter((url) => url.includes(TOKEN))).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Jobs' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('jobs.dashboard.token'))).toBeNull();
    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
  });

  it('shows an error state while the API is down, and reconnects when it is back', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Overview' })
      .click();
    const queued = page.getByTestId('count-queued');
    await waitForText(queued, /^0\s/);
    await waitForText(page.getByTestId('live-status'), /^Live$/);

    const down = tb.allowConsoleErrors(
      /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING/,
    );
    await harness.stopServer();
    await waitForText(page.getByTestId('live-status'), /Reconnecting|Connecting/);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Jobs', exact: true })
      .click();
    await page.getByRole('heading', { name: 'The API is not answering' }).waitFor();
    await tb.screenshot('api-down');

    await harness.startServer();
    await waitForText(page.getByTestId('live-status'), /^Live$/, 20_000);
    // The reconnected stream makes the page read again: the error state goes away by itself.
    await page
      .getByRole('heading', { name: 'The API is not answering' })
      .waitFor({ state: 'detached' });
    down.done();

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Overview' })
      .click();
    await waitForText(queued, /^0\s/);
    const id = await enqueue(harness, {
      handler: 'demo',
      method: 'quick',
      params: ['after restart'],
    });
    await waitForText(page.getByTestId('count-completed'), /^1\s/);
    expect(id).toMatch(/^\d+$/);
  });
});
