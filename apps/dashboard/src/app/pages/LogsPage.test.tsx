import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../testing/fake-api.js';
import { renderApp } from '../testing/render.js';

/** What a browser would act on: controls (bar the stack's own line breaks), separators, bidi. */
const RAW_CONTROL = /(?!\n)\p{Cc}|[\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** An error log as workers write it (escaped), then an entry written before escaping. */
const ERROR_LINES = [
  '2026-01-01T12:00:02.000Z id=8 handler="Evil\\u2028\\u202e" method="run" status=failed attempt=1 worker="w\\u0085" error="Error: boom\\r\\u001b[2J\\u0085\\n2026-01-01T00:00:00.000Z [error] job 1"',
  '  Error: boom\\r\\u001b[2J\\u0085',
  '  2026-01-01T00:00:00.000Z [error] job 1',
  '      at run (C:\\\\app\\\\x.js:1:1)',
  '2026-01-01T12:00:03.000Z id=9 handler="old" method="run" status=failed attempt=1 worker="w" error="Error: old"',
  '  Error: \u001b[31mred\u2028line\u202eevil',
];

const JOB_LINES = [
  '2026-01-01T12:00:01.000Z id=7 handler="Evil\\u2028\\u202e\\u001b[2J" method="run\\r" status=failed attempt=1 duration_ms=3 worker="w\\u000b"',
];

function logsApi() {
  return fakeApi({
    'GET /api/logs/errors': () => ({ file: 'errors.log', lines: ERROR_LINES, truncated: false }),
    'GET /api/logs/jobs': () => ({ file: 'jobs.log', lines: JOB_LINES, truncated: false }),
  });
}

describe('the log views', () => {
  it('show each error-log entry once, with controls in names, messages and stacks as visible escapes', async () => {
    renderApp('/logs/errors', logsApi().fetch);
    const list = await screen.findByTestId('error-log');
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(list.textContent).not.toMatch(RAW_CONTROL);
    const forged = items.find((item) => item.textContent?.includes('#8'));
    expect(forged?.textContent).toContain('Evil\\u2028\\u202e.run');
    expect(forged?.querySelector('.error-text')?.textContent).toBe(
      'Error: boom\\r\\u001b[2J\\u0085\\n2026-01-01T00:00:00.000Z [error] job 1',
    );
    expect(forged?.querySelector('pre')?.textContent).toBe(
      'Error: boom\\r\\u001b[2J\\u0085\n2026-01-01T00:00:00.000Z [error] job 1\n    at run (C:\\\\app\\\\x.js:1:1)',
    );
    const old = items.find((item) => item.textContent?.includes('#9'));
    expect(old?.querySelector('pre')?.textContent).toBe(
      'Error: \\u001b[31mred\\u2028line\\u202eevil',
    );
  });

  it('show a job-log line whose names carry controls as one row with visible escapes', async () => {
    renderApp('/logs/jobs', logsApi().fetch);
    const table = await screen.findByTestId('job-log');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(2);
    expect(table.textContent).not.toMatch(RAW_CONTROL);
    expect(rows[1]?.textContent).toContain('Evil\\u2028\\u202e\\u001b[2J.run\\r');
    expect(rows[1]?.textContent).toContain('w\\u000b');
  });
});
