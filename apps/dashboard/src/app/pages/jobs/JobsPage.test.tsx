import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { counts, fakeApi, wireJob } from '../../testing/fake-api.js';
import { renderApp } from '../../testing/render.js';

const page = {
  jobs: [
    wireJob({
      id: '12',
      state: 'failed',
      errors: [{ attempt: 1, name: 'Error', message: 'boom', at: '2026-01-01T12:00:01Z' }],
    }),
    wireJob({ id: '11', state: 'failed' }),
  ],
  nextCursor: 'next-page',
};

function api() {
  return fakeApi({
    'GET /api/jobs': (call) =>
      call.query.get('cursor') === null
        ? page
        : { jobs: [wireJob({ id: '3', state: 'failed' })], nextCursor: null },
    'GET /api/queues': () => ({ queues: [] }),
    'GET /api/handlers': () => ({ handlers: [] }),
    'GET /api/stats': () => ({
      byState: counts({ failed: 1234 }),
      byQueue: [],
      throughput: { minutes: 1, points: [] },
    }),
    'POST /api/jobs/actions': (call) => {
      const body = call.body as { action: string; ids?: string[] };
      const n = body.ids?.length ?? 1234;
      return { action: body.action, matched: n, changed: n, nextCursor: null };
    },
  });
}

describe('the jobs page', () => {
  it('lists jobs with the original columns and more', async () => {
    const fake = api();
    renderApp('/jobs?state=failed', fake.fetch);
    const table = await screen.findByRole('table');
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers.slice(1)).toEqual([
      'ID',
      'Time',
      'Handler',
      'Method',
      'Params',
      'Status',
      'Attempts',
      'Error',
      'Queue',
      'Priority',
      'Run at',
      'Duration',
    ]);
    expect(within(table).getByText('Error: boom')).toBeTruthy();
    expect(fake.calls.find((c) => c.path === '/api/jobs')?.query.get('state')).toBe('failed');
  });

  it('cancels the picked rows after a confirmation that says how many', async () => {
    const fake = api();
    renderApp('/jobs?state=failed', fake.fetch);
    fireEvent.click(await screen.findByLabelText('Select job 12'));
    fireEvent.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Cancel' }));
    expect((await screen.findByTestId('confirm-count')).textContent).toBe(
      'This will cancel 1 job.',
    );
    // One picked row: the dialog speaks of it, not of "them".
    expect(
      within(screen.getByRole('dialog'))
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Keep it', 'Cancel 1 job']);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel 1 job' }));
    expect(await screen.findByText('Cancelled 1 job.')).toBeTruthy();
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({
      action: 'cancel',
      ids: ['12'],
    });
  });

  it('retries every job matching the filter, counted from the stats', async () => {
    const fake = api();
    renderApp('/jobs?state=failed', fake.fetch);
    fireEvent.click(await screen.findByLabelText('Select every job on this page'));
    fireEvent.click(screen.getByRole('button', { name: 'Select all jobs matching the filter' }));
    await screen.findByText(/All 1,234 jobs matching the filter are selected/);
    fireEvent.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Retry' }));
    expect((await screen.findByTestId('confirm-count')).textContent).toBe(
      'This will retry 1,234 jobs: all failed jobs.',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Retry 1,234 jobs' }));
    expect(await screen.findByText('Queued again 1,234 jobs.')).toBeTruthy();
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({
      action: 'retry',
      filter: { state: ['failed'] },
    });
  });

  it('pages with the cursor and comes back', async () => {
    const fake = api();
    renderApp('/jobs?state=failed', fake.fetch);
    await screen.findByLabelText('Select job 12');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByLabelText('Select job 3');
    expect(screen.getByText(/Page 2/)).toBeTruthy();
    expect(
      fake.calls.some((c) => c.path === '/api/jobs' && c.query.get('cursor') === 'next-page'),
    ).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Previous' }));
    await screen.findByLabelText('Select job 12');
  });

  it('says so when nothing matches, and offers to clear the filters', async () => {
    const fake = fakeApi({
      'GET /api/jobs': () => ({ jobs: [], nextCursor: null }),
      'GET /api/queues': () => ({ queues: [] }),
      'GET /api/handlers': () => ({ handlers: [] }),
    });
    renderApp('/jobs?q=nothing', fake.fetch);
    expect(await screen.findByRole('heading', { name: 'No jobs match' })).toBeTruthy();
    expect(screen.getByText('No jobs matching "nothing".')).toBeTruthy();
    fireEvent.click(
      within(screen.getByRole('heading', { name: 'No jobs match' }).parentElement!).getByRole(
        'button',
        { name: 'Clear filters' },
      ),
    );
    await waitFor(() => expect(window.location.search).toBe(''));
  });

  it('words the dialog for many picked rows', async () => {
    const fake = api();
    renderApp('/jobs?state=failed', fake.fetch);
    fireEvent.click(await screen.findByLabelText('Select job 12'));
    fireEvent.click(screen.getByLabelText('Select job 11'));
    fireEvent.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Delete' }));
    expect((await screen.findByTestId('confirm-count')).textContent).toBe(
      'This will delete 2 jobs.',
    );
    expect(
      within(screen.getByRole('dialog'))
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Keep them', 'Delete 2 jobs']);
    fireEvent.click(screen.getByRole('button', { name: 'Keep them' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.calls.some((c) => c.method === 'POST')).toBe(false);
  });
});
