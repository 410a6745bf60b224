import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type TestBrowser } from './browser.js';
import { type DashboardHarness, startDashboard } from './harness.js';
import {
  enqueue,
  enqueueMany,
  eventually,
  headingBadge,
  waitForIdle,
  waitForState,
  waitForText,
} from './helpers.js';

let harness: DashboardHarness;
let tb: TestBrowser;
let page: Page;

beforeAll(async () => {
  [harness, tb] = await Promise.all([startDashboard('main'), openBrowser()]);
  page = tb.page;
});
afterEach(() => tb.assertNoErrors());
afterAll(async () => {
  await tb?.close();
  await harness?.close();
});

/** The message the API answers `body` with; it must refuse it with 400. */
async function apiRefusal(body: Record<string, unknown>): Promise<string> {
  const res = await harness.api('POST', '/api/jobs', body);
  expect(res.status).toBe(400);
  return ((await res.json()) as { error: { message: string } }).error.message;
}

/** A pattern matching exactly `text`. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Navigates inside the app (no reload) by clicking a main-menu link. */
async function clickNav(label: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
}

describe('the dashboard', () => {
  it('shows clear empty states on a fresh database', async () => {
    await page.goto(`${harness.url}/`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await waitForText(page.getByTestId('live-status'), /^Live$/);
    expect(await page.getByTestId('count-failed').innerText()).toMatch(/^0\s/);
    await page.getByText('No queues yet').waitFor();
    await clickNav('Jobs');
    await page.getByRole('heading', { name: 'No jobs yet' }).waitFor();
    await tb.screenshot('jobs-empty');
    await clickNav('Logs');
    await page.getByRole('heading', { name: 'The job log is empty' }).waitFor();
  });

  it("shows the jobs table's size, its dead rows and the retention from the config", async () => {
    await page.goto(`${harness.url}/`);
    await page.getByRole('heading', { name: 'Storage and retention' }).waitFor();
    await waitForText(page.getByTestId('table-size'), /^[\d.]+ (KiB|MiB|GiB)$/);
    await waitForText(page.getByTestId('dead-share'), /^\d+\.\d %$/);
    const defaults = page.getByTestId('retention-default');
    await waitForText(defaults, /every queue \(default\)\s+1 d\s+14 d\s+7 d/);
    await waitForText(page.getByTestId('retention-audit'), /audit\s+forever\s+1 h\s+7 d/);
    // The values that differ from the default are marked.
    expect(await page.getByTestId('retention-audit').locator('strong').allInnerTexts()).toEqual([
      'forever',
      '1 h',
    ]);
    await tb.screenshot('overview-storage');
  });

  it('enqueues a job from the form and shows it go running, then completed, live', async () => {
    await clickNav('New job');
    await page.getByLabel('Handler').selectOption('demo');
    await page.getByLabel('Method').selectOption('slow');
    await page.getByLabel(/^Params/).fill('[2]');
    await page.getByLabel(/^Priority/).fill('5');
    await tb.screenshot('new-job');
    // Marks this document: a reload would lose the mark.
    await page.evaluate(() => Object.assign(window, { __noReload: true }));
    await page.getByRole('button', { name: 'Enqueue job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    await page.getByText(/^Enqueued job #\d+\.$/).waitFor();
    await waitForText(headingBadge(page), /^running$/);
    await page.getByRole('progressbar').waitFor();
    await waitForText(headingBadge(page), /^completed$/, 15_000);
    await waitForText(page.getByTestId('job-result'), /"slept": 2/);
    await waitForText(page.getByTestId('job-logs'), /woke up/);
    expect(await page.evaluate(() => (window as { __noReload?: boolean }).__noReload)).toBe(true);
    expect(await page.locator('.facts').innerText()).toMatch(/Priority\s+5/);
    await tb.screenshot('job-detail');

    await page.getByRole('button', { name: 'Enqueue a copy' }).click();
    await page.waitForURL(/\/jobs\/new$/);
    expect(await page.getByLabel('Handler').inputValue()).toBe('demo');
    expect(await page.getByLabel('Method').inputValue()).toBe('slow');
    expect(JSON.parse(await page.getByLabel(/^Params/).inputValue())).toEqual([2]);
    expect(await page.getByLabel(/^Priority/).inputValue()).toBe('5');
  });

  it('checks params before sending, and shows the server field error next to the field', async () => {
    // From the copy's form, the menu gives a blank one.
    await clickNav('New job');
    await eventually(async () => expect(await page.getByLabel(/^Priority/).inputValue()).toBe('0'));
    await page.getByLabel('Handler').selectOption('demo');
    await page.getByLabel('Method').selectOption('quick');
    const params = page.getByLabel(/^Params/);
    const error = page.getByTestId('error-params');
    await params.fill('["unclosed"');
    await page.getByRole('button', { name: 'Enqueue job' }).click();
    await waitForText(error, /^params: is not valid JSON/);
    expect(await params.getAttribute('aria-invalid')).toBe('true');

    // Refusals from the server: the schema's own words, the same as the API's.
    const expected = tb.allowConsoleErrors(/status of 400/);
    await params.fill('[]');
    await page.getByRole('button', { name: 'Enqueue job' }).click();
    await waitForText(
      error,
      exactly(await apiRefusal({ handler: 'demo', method: 'quick', params: [] })),
    );

    await page.getByLabel('Handler').selectOption('reports');
    await page.getByLabel('Method').selectOption('build');
    await params.fill('[1999]');
    await page.getByRole('button', { name: 'Enqueue job' }).click();
    await waitForText(error, /^params\.0: must be 2000 or later$/);
    expected.done();
    expect(page.url()).toMatch(/\/jobs\/new$/);
    await tb.screenshot('new-job-errors');
  });

  it('words a rule on params as the API does: a bad address, and a count the method cannot take', async () => {
    await page.goto(`${harness.url}/jobs/new`);
    const params = page.getByLabel(/^Params/);
    const error = page.getByTestId('error-params');
    const email = { handler: 'mailer', method: 'send', params: ['not an address', 'Hi'] };
    const emailMessage = await apiRefusal(email);
    expect(emailMessage).toBe('params.0: Invalid email address');
    await page.getByLabel('Handler').selectOption('mailer');
    await page.getByLabel('Method').selectOption('send');
    await params.fill(JSON.stringify(email.params));
    const expected = tb.allowConsoleErrors(/status of 400/);
    await page.getByRole('button', { name: 'Enqueue job' }).click();
    await waitForText(error, exactly(emailMessage));
    expected.done();

    // Without a schema the count is checked before sending, with the API's message.
    const seed = { handler: 'App\\Services\\SomeClass', method: 'someMethod', params: ['x'] };
    const countMessage = await apiRefusal(seed);
    expect(countMessage).toBe('params: someMethod takes 2 arguments (param1, param2); got 1');
    await page.getByLabel('Handler').selectOption(seed.handler);
    await page.getByLabel('Method').selectOption(seed.method);
    await waitForText(
      page.locator('.field-hint[id$="-params-hint"]'),
      /someMethod takes 2 arguments \(param1, param2\)\. Without a schema, only their number is checked\./,
    );
    for (const [text, got] of [
      ['["x"]', 1],
      ['[]', 0],
      ['["x", 1, 2]', 3],
    ] as const) {
      await params.fill(text);
      await page.getByRole('button', { name: 'Enqueue job' }).click();
      await waitForText(
        error,
        exactly(await apiRefusal({ ...seed, params: JSON.parse(text) as unknown[] })),
      );
      expect(await error.innerText()).toMatch(new RegExp(`got ${got}$`));
    }
    expect(page.url()).toMatch(/\/jobs\/new$/);
  });

  it('cancels a long running job, which ends cancelled', async () => {
    const id = await enqueue(harness, { handler: 'demo', method: 'slow', params: [60] });
    await page.goto(`${harness.url}/jobs/${id}`);
    await waitForText(headingBadge(page), /^running$/);
    await page.getByRole('button', { name: 'Cancel job' }).click();
    const dialog = page.getByRole('dialog');
    await waitForText(dialog, /Cancel job #\d+\?/);
    await dialog.getByRole('button', { name: 'Cancel job' }).click();
    await waitForText(headingBadge(page), /^cancelled$/);
    await waitForState(harness, id, ['cancelled']);
    expect(await page.getByRole('button', { name: 'Cancel job' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete job' }).click();
    await page.waitForURL(/\/jobs$/);
    await page.getByText(`Deleted job #${id}.`).waitFor();
    expect((await harness.api('GET', `/api/jobs/${id}`)).status).toBe(404);
  });

  it('retries a failed job, showing the error and its stack', async () => {
    const id = await enqueue(harness, {
      handler: 'demo',
      method: 'flaky',
      params: ['k1'],
      retries: 0,
    });
    await page.goto(`${harness.url}/jobs/${id}`);
    await waitForText(headingBadge(page), /^failed$/);
    const timeline = page.locator('.timeline');
    await waitForText(timeline, /Attempt 1 failed[\s\S]*Error: flaky failure for k1/);
    await timeline.getByText('Stack trace').first().click();
    await waitForText(timeline.locator('pre').first(), /at /);
    await tb.screenshot('job-failed');
    await page.getByRole('button', { name: 'Retry' }).click();
    await waitForText(headingBadge(page), /^completed$/);
    await waitForText(page.getByTestId('job-result'), /"ok": true/);
  });

  it('filters by state, queue and handler, searches, sorts and pages', async () => {
    await enqueueMany(harness, [
      ...[1, 2, 3].map((i) => ({
        handler: 'demo',
        method: 'fail',
        params: [`alpha-${i}`],
        queue: 'emails',
        retries: 0,
      })),
      ...[1, 2, 3].map((i) => ({
        handler: 'demo',
        method: 'quick',
        params: [`beta-${i}`],
        queue: 'reports',
      })),
      ...Array.from({ length: 55 }, (_, i) => ({
        handler: 'demo',
        method: 'quick',
        params: [`gamma-${i}`],
        queue: 'bulk',
        delay: 3600,
      })),
    ]);
    await waitForIdle(harness);
    await page.goto(`${harness.url}/jobs`);
    const rows = page.locator('.jobs-table tbody tr');
    await rows.first().waitFor();

    await page.getByLabel('State').selectOption('failed');
    await page.waitForURL(/state=failed/);
    await eventually(async () => {
      const states = await rows.locator('.badge').allInnerTexts();
      expect(states.length).toBeGreaterThanOrEqual(3);
      expect(new Set(states)).toEqual(new Set(['failed']));
    });
    await page.getByLabel('Search params and errors').fill('alpha-2');
    await eventually(async () => expect(await rows.count()).toBe(1));
    expect(await rows.first().innerText()).toMatch(/alpha-2[\s\S]*boom: alpha-2/);
    await tb.screenshot('jobs-search');

    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.getByLabel('Queue').selectOption('reports');
    await page.getByLabel('Handler').selectOption('demo');
    await page.getByLabel('Method').selectOption('quick');
    await eventually(async () => {
      expect(await rows.count()).toBe(3);
      const ids = await rows.locator('.job-link').allInnerTexts();
      const numbers = ids.map((t) => Number(t.slice(1)));
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    });
    await page.getByLabel('Sort').selectOption('oldest');
    await eventually(async () => {
      const numbers = (await rows.locator('.job-link').allInnerTexts()).map((t) =>
        Number(t.slice(1)),
      );
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    });

    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await page.getByLabel('Queue').selectOption('bulk');
    await eventually(async () => expect(await rows.count()).toBe(50));
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(/Page 2 · 5 jobs/).waitFor();
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText(/Page 1 · 50 jobs/).waitFor();
    await tb.screenshot('jobs');
  });

  it('cancels selected rows, then deletes every job matching the filter, saying how many', async () => {
    await page.goto(`${harness.url}/jobs?queue=bulk`);
    const rows = page.locator('.jobs-table tbody tr');
    await eventually(async () => expect(await rows.count()).toBe(50));
    await page
      .getByLabel(/^Select job /)
      .nth(0)
      .check();
    await page
      .getByLabel(/^Select job /)
      .nth(1)
      .check();
    await page.getByText('2 selected.').waitFor();
    await page.getByRole('toolbar').getByRole('button', { name: 'Cancel' }).click();
    const dialog = page.getByRole('dialog');
    await waitForText(dialog.getByTestId('confirm-count'), /^This will cancel 2 jobs\.$/);
    await dialog.getByRole('button', { name: 'Cancel 2 jobs' }).click();
    await page.getByText('Cancelled 2 jobs.').waitFor();
    await eventually(async () =>
      expect(await rows.locator('.badge', { hasText: 'cancelled' }).count()).toBe(2),
    );

    await page.getByLabel('Select every job on this page').check();
    await page.getByRole('button', { name: 'Select all jobs matching the filter' }).click();
    await page.getByRole('toolbar').getByRole('button', { name: 'Delete' }).click();
    await waitForText(
      dialog.getByTestId('confirm-count'),
      /^This will delete 55 jobs: all jobs in queue bulk\.$/,
    );
    await tb.screenshot('jobs-confirm', { fullPage: false });
    await dialog.getByRole('button', { name: 'Delete 55 jobs' }).click();
    await page.getByText('Deleted 55 jobs.').waitFor();
    await page.getByRole('heading', { name: 'No jobs match' }).waitFor();
  });

  it('links counts to the filtered list, draws the chart, and pauses and resumes a queue', async () => {
    await clickNav('Overview');
    const failed = page.getByTestId('count-failed');
    await waitForText(failed, /^3\s/);
    expect(await page.locator('.chart rect.bar-completed').count()).toBeGreaterThan(0);
    expect(await page.locator('.chart rect.bar-failed').count()).toBeGreaterThan(0);
    await failed.click();
    await page.waitForURL(/\/jobs\?state=failed$/);
    expect(await page.getByLabel('State').inputValue()).toBe('failed');
    await page.goBack();
    const emails = page.getByTestId('queue-emails');
    await emails.getByRole('button', { name: 'Pause queue emails' }).click();
    await waitForText(emails, /paused/);
    await page.getByText('Queue emails paused: workers stop claiming from it.').waitFor();
    const id = await enqueue(harness, {
      handler: 'demo',
      method: 'quick',
      params: ['held'],
      queue: 'emails',
    });
    await waitForText(emails.locator('td[data-label="Waiting"]'), /^1$/);
    await waitForText(emails.locator('td[data-label="Oldest wait"]'), /\d/);
    await tb.screenshot('overview');
    await emails.getByRole('button', { name: 'Resume queue emails' }).click();
    await waitForText(emails, /active/);
    await waitForState(harness, id, ['completed']);
    await waitForText(emails.locator('td[data-label="Waiting"]'), /^0$/);
  });

  it("shows a queue's limits across every worker with their use", async () => {
    // Limits across every worker, set as `jobs queues set` does, through the API.
    const set = await harness.api('PATCH', '/api/queues/capped', {
      concurrency: 1,
      rateLimit: { limit: 30, periodMs: 1000 },
    });
    expect(set.status).toBe(200);
    await clickNav('Overview');
    await page.reload();
    const capped = page.getByTestId('queue-capped');
    const limits = capped.locator('td[data-label="Limits"]');
    await waitForText(limits, /0\/1 running/);
    expect(await limits.innerText()).toMatch(/0\/30 per 1s/);
    const ids: string[] = [];
    for (let n = 0; n < 2; n++) {
      ids.push(
        await enqueue(harness, { handler: 'demo', method: 'slow', params: [2], queue: 'capped' }),
      );
    }
    // Only one runs at a time: the limit is full, and the other waits.
    await page.reload();
    await waitForText(limits, /1\/1 running/);
    await waitForText(capped.locator('td[data-label="Waiting"]'), /^1$/);
    expect(await limits.locator('.at-limit').count()).toBeGreaterThan(0);
    await tb.screenshot('overview-limits');
    for (const id of ids) await waitForState(harness, id, ['completed'], 15_000);
  });

  it('shows the job log and the error log, newest first, following new lines', async () => {
    await clickNav('Logs');
    const log = page.getByTestId('job-log');
    await log.waitFor();
    const times = await log
      .locator('tbody tr time')
      .evaluateAll((els) => els.map((el) => el.getAttribute('datetime') ?? ''));
    expect(times.length).toBeGreaterThan(5);
    expect(times).toEqual([...times].sort().reverse());
    const id = await enqueue(harness, { handler: 'demo', method: 'quick', params: ['followed'] });
    await waitForText(log.locator('tbody tr').first(), new RegExp(`#${id}[\\s\\S]*completed`));
    await tb.screenshot('logs-jobs');

    await page.getByRole('link', { name: 'Error log' }).click();
    const errors = page.getByTestId('error-log');
    await waitForText(errors, /Error: boom: alpha-1/);
    await waitForText(errors.locator('li').first(), /failed/);
    await errors.getByText('Stack trace').first().click();
    await waitForText(errors.locator('pre').first(), /at /);
    await page.getByLabel('Find in the error log').fill('alpha-3');
    await eventually(async () => expect(await errors.locator('li').count()).toBe(1));
    await tb.screenshot('logs-errors');
  });

  it('can be used with the keyboard alone', async () => {
    await page.goto(`${harness.url}/`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Brand, Overview, Jobs.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Jobs');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/jobs$/);
    await eventually(async () =>
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1'),
    );
    // Into the filters: the state select is the first control after the New job button.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id.endsWith('-state'))).toBe(true);

    // A dialog takes focus and Escape closes it.
    await page
      .getByLabel(/^Select job /)
      .first()
      .focus();
    await page.keyboard.press('Space');
    await page.getByRole('toolbar').getByRole('button', { name: 'Retry' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Retry 1 job$/);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const fits = async () => {
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
      };
      await page.goto(`${harness.url}/`);
      await page.getByTestId('count-failed').waitFor();
      await fits();
      await tb.screenshot('overview-phone', { fullPage: false });
      await page.goto(`${harness.url}/jobs`);
      await page.locator('.jobs-table tbody tr').first().waitFor();
      await fits();
      await tb.screenshot('jobs-phone', { fullPage: false });
      const first = await page.locator('.job-link').first().innerText();
      await page.goto(`${harness.url}/jobs/${first.slice(1)}`);
      await headingBadge(page).waitFor();
      await fits();
      await tb.screenshot('job-detail-phone', { fullPage: false });
      await page.goto(`${harness.url}/jobs/new`);
      await page.getByLabel('Handler').waitFor();
      await fits();
      await tb.screenshot('new-job-phone', { fullPage: false });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('shows its own icon', async () => {
    await page.goto(`${harness.url}/`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const href = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(href).toBe('/favicon.svg');
    const res = await page.request.get(`${harness.url}/favicon.svg`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^image\/svg\+xml/);
    // The page may draw it: the CSP lets images come from the server itself.
    const width = await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      return img.naturalWidth;
    }, '/favicon.svg');
    expect(width).toBeGreaterThan(0);
  });

  it('fits every column of the jobs table in its box at 1440 px', async () => {
    // The widest rows there are: a long queue name, long params, an error, a running job.
    const failing = await enqueue(harness, {
      handler: 'demo',
      method: 'fail',
      params: ['a parameter long enough to be cut short in its cell '.repeat(4)],
      queue: 'nightly-invoice-reminders',
      retries: 0,
    });
    const running = await enqueue(harness, { handler: 'demo', method: 'slow', params: [30] });
    await waitForState(harness, failing, ['failed']);
    await waitForState(harness, running, ['running']);
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      await page.goto(`${harness.url}/jobs`);
      const table = page.locator('.jobs-table');
      await waitForText(table, /boom: a parameter[\s\S]*nightly-invoice-reminders/);
      await table.locator('.badge-running').waitFor();
      const box = await table.evaluate((el) => {
        const wrap = el.parentElement as HTMLElement;
        const right = wrap.getBoundingClientRect().right;
        const headers = [...el.querySelectorAll('thead th')].map((th) => ({
          name: th.textContent ?? '',
          overflows: th.getBoundingClientRect().right > right + 0.5,
        }));
        return { scrollWidth: wrap.scrollWidth, clientWidth: wrap.clientWidth, headers };
      });
      expect(box.headers.filter((h) => h.overflows).map((h) => h.name)).toEqual([]);
      expect(box.scrollWidth).toBeLessThanOrEqual(box.clientWidth);
      await tb.screenshot('jobs-1440', { fullPage: false });
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
      await harness.api('POST', `/api/jobs/${running}/cancel`);
    }
  });

  it('says "already queued as job N" when the unique key given in the form is held', async () => {
    const fillForm = async () => {
      await clickNav('New job');
      await eventually(async () =>
        expect(await page.getByLabel('Unique key').inputValue()).toBe(''),
      );
      await page.getByLabel('Handler').selectOption('demo');
      await page.getByLabel('Method').selectOption('slow');
      await page.getByLabel(/^Params/).fill('[1]');
      await page.getByLabel(/^Delay/).fill('3600');
      await page.getByLabel('Unique key').fill('e2e-nightly');
      await page.getByLabel(/^Unique for/).fill('600');
      await page.getByRole('button', { name: 'Enqueue job' }).click();
      await page.waitForURL(/\/jobs\/\d+$/);
      return page.url().split('/').at(-1) ?? '';
    };
    const first = await fillForm();
    await page.getByText(`Enqueued job #${first}.`).waitFor();
    const second = await fillForm();
    expect(second).toBe(first);
    await page
      .getByText(`Already queued as job #${first}: its unique key is held, so no new job was made.`)
      .waitFor();
    await tb.screenshot('new-job-already-queued');
    const listed = await harness.api('GET', '/api/jobs?limit=500');
    const jobs = ((await listed.json()) as { jobs: { uniqueKey: string | null }[] }).jobs;
    expect(jobs.filter((j) => j.uniqueKey === 'e2e-nightly')).toHaveLength(1);
    await harness.api('POST', `/api/jobs/${first}/cancel`);
    await harness.api('DELETE', `/api/jobs/${first}`);
  });
});
