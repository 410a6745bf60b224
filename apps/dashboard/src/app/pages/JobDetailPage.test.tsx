import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, wireJob } from '../testing/fake-api.js';
import { renderApp } from '../testing/render.js';

describe('the job detail page', () => {
  it('says how many attempt errors were not kept, and shows params of an old row as stored', async () => {
    const kept = [1, 2, 3, 4, 5, ...Array.from({ length: 20 }, (_, i) => 41 + i)];
    const job = wireJob({
      id: '7',
      state: 'failed',
      attempt: 60,
      maxAttempts: 60,
      params: { to: 'a@b.c' },
      finishedAt: '2026-01-01T13:00:00.000Z',
      errorsDropped: 35,
      errors: kept.map((attempt) => ({
        attempt,
        message: `failure ${attempt}`,
        name: 'Error',
        at: new Date(Date.UTC(2026, 0, 1, 12, attempt)).toISOString(),
      })),
    });
    const api = fakeApi({ 'GET /api/jobs/:id': () => job });
    renderApp('/jobs/7', api.fetch);
    expect(await screen.findByText(/35 earlier errors not kept/)).toBeTruthy();
    expect(screen.getAllByText(/^Attempt \d+ failed$/)).toHaveLength(kept.length);
    expect(screen.getByTestId('job-params').textContent).toContain('"to": "a@b.c"');
  });
});
