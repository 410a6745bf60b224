import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './axe.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { type DashboardHarness, startDashboard } from './harness.js';
import { eventually, waitForText } from './helpers.js';

let harness: DashboardHarness;
let tb: TestBrowser;
let page: Page;

beforeAll(async () => {
  [harness, tb] = await Promise.all([startDashboard('schedules'), openBrowser()]);
  page = tb.page;
  await page.setViewportSize({ width: 1440, height: 900 });
  // A run-time schedule every 2 seconds, run by the worker of `jobs start`.
  const res = await harness.api('POST', '/api/schedules', {
    name: 'heartbeat',
    cron: '*/2 * * * * *',
    handler: 'demo',
    method: 'quick',
    params: ['tick'],
  });
  expect(res.status).toBe(201);
  const nightly = await harness.api('POST', '/api/schedules', {
    name: 'nightly-report',
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    handler: 'demo',
    method: 'quick',
    params: ['nightly'],
  });
  expect(nightly.status).toBe(201);
});
afterEach(() => tb.assertNoErrors());
afterAll(async () => {
  await tb?.close();
  await harness?.close();
});

const row = (name: string) => page.getByTestId(`schedule-${name}`);

describe('the Schedules page', () => {
  it('shows each schedule with its next run and its last run and outcome', async () => {
    await page.goto(`${harness.url}/`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Schedules' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Schedules' }).waitFor();
    await waitForText(row('nightly-report').getByTestId('next-run'), /^in /);
    await expect(row('nightly-report').textContent()).resolves.toMatch(
      /30 2 \* \* \*\s*Europe\/Berlin/,
    );
    // The every-2-seconds schedule has run: its last job is shown with its outcome.
    await eventually(async () => {
      await page.reload();
      await waitForText(row('heartbeat').getByTestId('last-run'), /completed/, 3_000);
    }, 30_000);
  });

  it('pauses and resumes a schedule', async () => {
    await page.goto(`${harness.url}/schedules`);
    await row('heartbeat').getByRole('button', { name: 'Pause schedule heartbeat' }).click();
    await waitForText(page.locator('.notice-region'), /Schedule heartbeat paused/);
    await waitForText(row('heartbeat').locator('.badge-paused'), /^paused$/);
    await waitForText(row('heartbeat').getByTestId('next-run'), /^—$/);
    const api = (await (await harness.api('GET', '/api/schedules/heartbeat')).json()) as {
      status: string;
    };
    expect(api.status).toBe('paused');
    await row('heartbeat').getByRole('button', { name: 'Resume schedule heartbeat' }).click();
    await waitForText(page.locator('.notice-region'), /Schedule heartbeat resumed/);
    await waitForText(row('heartbeat').locator('.badge-active'), /^active$/);
  });

  it('triggers a schedule now and its job names the schedule', async () => {
    await page.goto(`${harness.url}/schedules`);
    await row('nightly-report')
      .getByRole('button', { name: 'Trigger now: schedule nightly-report' })
      .click();
    const notice = page.locator('.notice-region');
    await waitForText(notice, /triggered: job \d+ queued/);
    const id = /job (\d+) queued/.exec((await notice.textContent()) ?? '')?.[1];
    await waitForText(row('nightly-report').getByTestId('last-run'), /queued|running|completed/);
    await page.goto(`${harness.url}/jobs/${id}`);
    await waitForText(page.locator('dl.facts'), /Schedule\s*nightly-report \(triggered by hand\)/);
  });

  it.each(['light', 'dark'] as const)(
    'has no axe violation that matters (%s theme)',
    async (colorScheme) => {
      await page.emulateMedia({ colorScheme });
      await page.goto(`${harness.url}/schedules`);
      await row('heartbeat').waitFor();
      await expectAccessible(page, `the schedules page (${colorScheme})`);
    },
  );
});
