import type { Locator, Page } from 'playwright-core';
import type { DashboardHarness } from './harness.js';

/** Retries `check` until it stops throwing, or throws its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Waits until the locator's text matches. */
export async function waitForText(
  locator: Locator,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<void> {
  await eventually(async () => {
    const text = await locator.innerText({ timeout: 1000 });
    if (!pattern.test(text)) throw new Error(`"${text}" does not match ${pattern}`);
  }, timeoutMs);
}

/** The state badge in the job page's heading. */
export function headingBadge(page: Page): Locator {
  return page.locator('main h1 .badge');
}

/** Enqueues a job through the API; resolves to its id. */
export async function enqueue(
  harness: DashboardHarness,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await harness.api('POST', '/api/jobs', body);
  if (res.status !== 201) throw new Error(`enqueue answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Enqueues many jobs in one call; resolves to their ids. */
export async function enqueueMany(
  harness: DashboardHarness,
  jobs: readonly Record<string, unknown>[],
): Promise<string[]> {
  const res = await harness.api('POST', '/api/jobs/batch', { jobs });
  if (res.status !== 201) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { jobs: { id: string }[] }).jobs.map((j) => j.id);
}

/** Waits until the API reads the job in one of `states`. */
export async function waitForState(
  harness: DashboardHarness,
  id: string,
  states: readonly string[],
  timeoutMs = 15_000,
): Promise<void> {
  await eventually(async () => {
    const job = (await (await harness.api('GET', `/api/jobs/${id}`)).json()) as { state: string };
    if (!states.includes(job.state)) throw new Error(`job ${id} is ${job.state}`);
  }, timeoutMs);
}

/** Waits until no job is queued or running. */
export async function waitForIdle(harness: DashboardHarness, timeoutMs = 20_000): Promise<void> {
  await eventually(async () => {
    const stats = (await (await harness.api('GET', '/api/stats?window=1')).json()) as {
      byState: Record<string, number>;
    };
    const busy =
      (stats.byState.queued ?? 0) + (stats.byState.running ?? 0) + (stats.byState.retrying ?? 0);
    if (busy > 0) throw new Error(`${busy} jobs still to run`);
  }, timeoutMs);
}
