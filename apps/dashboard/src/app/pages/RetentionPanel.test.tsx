import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../testing/fake-api.js';
import { renderApp } from '../testing/render.js';

const EMPTY_COUNTS = {
  scheduled: 0,
  queued: 0,
  running: 0,
  retrying: 0,
  completed: 0,
  failed: 0,
  cancelled: 0,
};

function api(retention: unknown) {
  return fakeApi({
    'GET /api/stats': () => ({
      byState: EMPTY_COUNTS,
      byQueue: [],
      throughput: { minutes: 60, points: [] },
    }),
    'GET /api/queues': () => ({ queues: [] }),
    'GET /api/retention': () => retention,
  });
}

describe("the overview's storage panel", () => {
  it('shows the size, the dead share and each queue that keeps jobs differently', async () => {
    renderApp(
      '/',
      api({
        defaults: { completed: 86_400_000, failed: 1_209_600_000, cancelled: 0 },
        queues: [
          {
            name: 'audit',
            overrides: { completed: null },
            effective: { completed: null, failed: 1_209_600_000, cancelled: 0 },
          },
        ],
        table: {
          totalBytes: 40 * 2 ** 20,
          tableBytes: 10 * 2 ** 20,
          indexBytes: 30 * 2 ** 20,
          liveRows: 120_000,
          deadRows: 5_000,
          deadShare: 0.04,
          lastVacuumAt: null,
          autovacuum: false,
        },
      }).fetch,
    );
    expect((await screen.findByTestId('table-size')).textContent).toBe('40.0 MiB');
    expect(screen.getByTestId('dead-share').textContent).toBe('4.0 %');
    const audit = screen.getByTestId('retention-audit');
    expect(
      within(audit)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['forever', '14 d', 'deleted at once']);
    expect(within(audit).getByText('forever').tagName).toBe('STRONG');
    expect(screen.getByTestId('autovacuum-off').textContent).toMatch(/Autovacuum is off/);
  });

  it('says so when the API cannot tell', async () => {
    renderApp(
      '/',
      api({ status: 503, body: { error: { code: 'not_supported', message: 'no retention' } } })
        .fetch,
    );
    const panel = (await screen.findByRole('heading', { name: 'Storage and retention' }))
      .parentElement as HTMLElement;
    expect(await within(panel).findByText(/no retention/)).toBeTruthy();
  });
});
