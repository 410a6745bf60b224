import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { ALL_IMPACTS, expectAccessible } from './axe.js';
import { openBrowser, type TestBrowser } from './browser.js';
import { type DashboardHarness, startDashboard } from './harness.js';
import { enqueue, headingBadge, waitForState, waitForText } from './helpers.js';

let harness: DashboardHarness;
let tb: TestBrowser;
let page: Page;
let completed: string;
let failed: string;
let running: string;
let waiting: string;

beforeAll(async () => {
  [harness, tb] = await Promise.all([startDashboard('a11y'), openBrowser()]);
  page = tb.page;
  await page.setViewportSize({ width: 1440, height: 900 });
  // A limited queue, so that the overview's queue table shows limits with their use.
  await harness.api('PATCH', '/api/queues/default', {
    concurrency: 5,
    rateLimit: { limit: 100, periodMs: 1000 },
  });
  completed = await enqueue(harness, { handler: 'demo', method: 'quick', params: ['a11y'] });
  failed = await enqueue(harness, {
    handler: 'demo',
    method: 'fail',
    params: ['a11y'],
    retries: 0,
  });
  // Long enough to stay running (and show its badge) through every page; shutdown cancels it.
  running = await enqueue(harness, { handler: 'demo', method: 'slow', params: [600] });
  // A flow whose last job waits behind the running one: its page shows the flow graph.
  const flow = await harness.api('POST', '/api/flows', {
    jobs: {
      first: { handler: 'demo', method: 'quick', params: ['flow'] },
      long: { handler: 'demo', method: 'slow', params: [600], dependsOn: ['first'] },
      last: { handler: 'demo', method: 'quick', params: ['last'], dependsOn: ['long'] },
    },
  });
  waiting = ((await flow.json()) as { jobs: { last: { id: string } } }).jobs.last.id;
  await waitForState(harness, completed, ['completed']);
  await waitForState(harness, failed, ['failed']);
  await waitForState(harness, running, ['running']);
});
afterEach(() => tb.assertNoErrors());
afterAll(async () => {
  await tb?.close();
  await harness?.close();
});

/** Every page of the dashboard, and how to know it has drawn its content. */
const PAGES: readonly {
  name: string;
  path: () => string;
  ready: (page: Page) => Promise<void>;
  /** Which violations fail the page: serious and critical unless named. */
  impacts?: typeof ALL_IMPACTS;
}[] = [
  {
    name: 'the overview',
    path: () => '/',
    ready: async (p) => {
      await p.getByTestId('count-failed').waitFor();
      await p.getByTestId('retention-audit').waitFor();
      await waitForText(p.getByTestId('live-status'), /^Live$/);
    },
  },
  {
    name: 'the jobs list',
    path: () => '/jobs',
    ready: (p) => p.locator('.jobs-table tbody .badge-running').first().waitFor(),
  },
  {
    name: 'a completed job',
    path: () => `/jobs/${completed}`,
    ready: (p) => waitForText(headingBadge(p), /^completed$/),
  },
  {
    name: 'a running job',
    path: () => `/jobs/${running}`,
    ready: (p) => waitForText(headingBadge(p), /^running$/),
  },
  {
    name: 'a failed job',
    path: () => `/jobs/${failed}`,
    ready: async (p) => {
      await waitForText(headingBadge(p), /^failed$/);
      await p.locator('.timeline details').first().locator('summary').click();
    },
  },
  {
    name: 'a waiting job in a flow',
    path: () => `/jobs/${waiting}`,
    ready: async (p) => {
      await waitForText(headingBadge(p), /^waiting$/);
      await p.getByTestId('job-flow').locator('.badge-running').waitFor();
    },
  },
  {
    name: 'the new job form',
    path: () => '/jobs/new',
    ready: (p) => p.getByLabel('Handler').waitFor(),
  },
  {
    name: 'the job log',
    path: () => '/logs/jobs',
    ready: (p) => p.getByTestId('job-log').locator('tbody tr').first().waitFor(),
  },
  {
    name: 'the error log',
    path: () => '/logs/errors',
    ready: (p) => waitForText(p.getByTestId('error-log'), /boom: a11y/),
  },
  {
    name: 'the API docs',
    path: () => '/docs',
    // Every operation and schema opened, so their tables, fields and code blocks are checked;
    // the docs page had moderate and minor violations too, so it is held to every rule.
    ready: async (p) => {
      await p.getByRole('heading', { level: 1 }).waitFor();
      await p.evaluate(() => {
        for (const details of document.querySelectorAll('details')) details.open = true;
      });
    },
    impacts: ALL_IMPACTS,
  },
];

describe.each(['light', 'dark'] as const)('every page in the %s theme', (colorScheme) => {
  beforeAll(async () => {
    await page.emulateMedia({ colorScheme });
  });

  it.each(PAGES)('has no axe violation that matters on $name', async (target) => {
    await page.goto(`${harness.url}${target.path()}`);
    await target.ready(page);
    await expectAccessible(page, `${target.name} (${colorScheme})`, {
      ...(target.impacts === undefined ? {} : { impacts: target.impacts }),
    });
  });

  it('has none in an open confirmation dialog', async () => {
    await page.goto(`${harness.url}/jobs/${failed}`);
    await waitForText(headingBadge(page), /^failed$/);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').waitFor();
    await expectAccessible(page, `the delete dialog (${colorScheme})`);
    await page.keyboard.press('Escape');
  });
});
