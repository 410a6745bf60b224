import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where screenshots go (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../test-artifacts', import.meta.url));

/** Debian's Chromium: never a downloaded browser. */
const EXECUTABLE = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * A browser page that records console errors, page errors and Content-Security-Policy
 * violations, to fail the test on them.
 */
export interface TestBrowser extends AsyncDisposable {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /**
   * Lets console errors matching `pattern` through until `done()` is called: network errors a
   * step causes on purpose (a 401 before signing in, a 400 with a field error, a server down).
   */
  allowConsoleErrors(pattern: RegExp): { done(): void };
  /** Throws if any unexpected console error or page error happened since the last check. */
  assertNoErrors(): void;
  /** Saves a screenshot (of the whole page unless `fullPage` is false) as `test-artifacts/<name>.png`. */
  screenshot(name: string, options?: { fullPage?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Launches headless Chromium with one page at 1280 x 800. */
export async function openBrowser(): Promise<TestBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: EXECUTABLE,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  // A blocked script, style, connection or frame fails the test like any console error.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`,
      );
    });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const allowed = new Set<RegExp>();
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = `${message.text()} (${message.location().url})`;
    if ([...allowed].some((pattern) => pattern.test(text))) return;
    errors.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.stack ?? error.message}`));
  const close = async () => {
    await browser.close();
  };
  return {
    browser,
    context,
    page,
    allowConsoleErrors(pattern) {
      allowed.add(pattern);
      return { done: () => allowed.delete(pattern) };
    },
    assertNoErrors() {
      const found = errors.splice(0);
      if (found.length > 0) throw new Error(`the page reported errors:\n${found.join('\n')}`);
    },
    async screenshot(name, options = {}) {
      await page.screenshot({
        path: join(ARTIFACTS, `${name}.png`),
        fullPage: options.fullPage ?? true,
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
