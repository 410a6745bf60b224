import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type TestBrowser } from './browser.js';
import { type DashboardHarness, startDashboard } from './harness.js';
import { headingBadge, waitForState, waitForText } from './helpers.js';

let harness: DashboardHarness;
let tb: TestBrowser;
let page: Page;

beforeAll(async () => {
  [harness, tb] = await Promise.all([startDashboard('flow'), openBrowser()]);
  page = tb.page;
});
afterEach(() => tb.assertNoErrors());
afterAll(async () => {
  await tb?.close();
  await harness?.close();
});

describe('a flow in the dashboard', () => {
  it('shows the flow of a job as a graph that updates live, with links to each job', async () => {
    const res = await harness.api('POST', '/api/flows', {
      jobs: {
        fetch: { handler: 'demo', method: 'quick', params: ['fetch'] },
        resize: { handler: 'demo', method: 'slow', params: [2], dependsOn: ['fetch'] },
        thumb: { handler: 'demo', method: 'quick', params: ['thumb'], dependsOn: ['fetch'] },
        zip: { handler: 'demo', method: 'quick', params: ['zip'], dependsOn: ['resize', 'thumb'] },
      },
    });
    expect(res.status).toBe(201);
    const { jobs } = (await res.json()) as { jobs: Record<string, { id: string }> };
    const id = (key: string) => jobs[key]?.id ?? '';

    await page.goto(`${harness.url}/jobs/${id('zip')}`);
    await waitForText(headingBadge(page), /^waiting$/);
    const flow = page.getByTestId('job-flow');
    await flow.waitFor();
    expect(await flow.getByText(`#${id('zip')} · this job`).getAttribute('aria-current')).toBe(
      'page',
    );
    expect(await flow.locator('.flow-node').count()).toBe(4);
    expect(await flow.locator('.flow-edges path').count()).toBe(4);
    await tb.screenshot('flow-waiting');

    // The graph follows the jobs: zip completes once resize and thumb have.
    await waitForState(harness, id('zip'), ['completed'], 30_000);
    await waitForText(headingBadge(page), /^completed$/);
    await flow.locator('.badge-completed').nth(3).waitFor();
    expect(await flow.locator('.badge-completed').count()).toBe(4);
    await tb.screenshot('flow-completed');

    // Each job of the flow is a link to its page, which shows the same flow.
    await flow.getByRole('link', { name: `#${id('fetch')}` }).click();
    await page.waitForURL(`${harness.url}/jobs/${id('fetch')}`);
    await waitForText(page.locator('main h1'), new RegExp(`^Job #${id('fetch')}`));
    await page
      .getByTestId('job-flow')
      .getByText(`#${id('fetch')} · this job`)
      .waitFor();
  });

  it('offers waiting in the state filter and lists waiting jobs under it', async () => {
    const res = await harness.api('POST', '/api/flows', {
      jobs: {
        first: { handler: 'demo', method: 'slow', params: [30] },
        after: { handler: 'demo', method: 'quick', params: ['after'], dependsOn: ['first'] },
      },
    });
    const { jobs } = (await res.json()) as { jobs: Record<string, { id: string }> };
    await page.goto(`${harness.url}/jobs?state=waiting`);
    await page.locator(`.jobs-table tbody .badge-waiting`).first().waitFor();
    const ids = await page.locator('.jobs-table tbody tr').allInnerTexts();
    expect(ids.some((row) => row.includes(jobs.after?.id ?? 'none'))).toBe(true);
    await harness.api('POST', `/api/jobs/${jobs.first?.id}/cancel`);
    await waitForState(harness, jobs.after?.id ?? '', ['cancelled']);
  });
});
