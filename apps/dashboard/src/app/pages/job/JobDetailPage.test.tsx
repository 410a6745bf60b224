import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, wireJob } from '../../testing/fake-api.js';
import { renderApp } from '../../testing/render.js';

describe('the job detail page', () => {
  it('shows the flow of a job as a graph: each job with its state, linked, this job marked', async () => {
    const node = (id: string, state: string, method: string, ...deps: string[]) => ({
      id,
      handler: 'images',
      method,
      state,
      dependsOn: deps.map((d) => ({ id: d, policy: 'cancel' })),
      cancelledBy: null,
    });
    const api = fakeApi({
      'GET /api/jobs/:id': () =>
        wireJob({ id: '4', state: 'waiting', handler: 'images', method: 'zip' }),
      'GET /api/jobs/:id/flow': () => ({
        id: '4',
        nodes: [
          node('1', 'completed', 'fetch'),
          node('2', 'running', 'resize', '1'),
          node('3', 'failed', 'resize', '1'),
          node('4', 'waiting', 'zip', '2', '3'),
        ],
        truncated: false,
      }),
    });
    renderApp('/jobs/4', api.fetch);
    const flow = await screen.findByTestId('job-flow');
    expect(within(flow).getByText('Depends on #2, #3.', { exact: false })).toBeTruthy();
    const links = within(flow)
      .getAllByRole('link')
      .map((a) => a.getAttribute('href'));
    expect(links).toEqual(['/jobs/1', '/jobs/2', '/jobs/3']);
    expect(within(flow).getByText('#4 · this job').getAttribute('aria-current')).toBe('page');
    const badges = [...flow.querySelectorAll('.badge')].map((b) => b.textContent);
    expect(badges).toEqual(['completed', 'running', 'failed', 'waiting']);
    expect(flow.querySelectorAll('.flow-edges path')).toHaveLength(4);
    expect(api.calls.some((c) => c.path === '/api/jobs/4/flow')).toBe(true);
  });

  it('shows no flow for a job outside any flow', async () => {
    const api = fakeApi({
      'GET /api/jobs/:id': () => wireJob({ id: '5' }),
      'GET /api/jobs/:id/flow': () => ({
        id: '5',
        nodes: [
          {
            id: '5',
            handler: 'mailer',
            method: 'send',
            state: 'queued',
            dependsOn: [],
            cancelledBy: null,
          },
        ],
        truncated: false,
      }),
    });
    renderApp('/jobs/5', api.fetch);
    await screen.findByText('mailer.send');
    await waitFor(() => expect(api.calls.some((c) => c.path === '/api/jobs/5/flow')).toBe(true));
    expect(screen.queryByTestId('job-flow')).toBeNull();
  });

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

  it('shows the trace id of a traced job, and no Trace row for one without', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const traced = fakeApi({ 'GET /api/jobs/:id': () => wireJob({ id: '8', traceId }) });
    const view = renderApp('/jobs/8', traced.fetch);
    const row = (await screen.findByText('Trace')).nextElementSibling;
    expect(row?.textContent).toBe(traceId);
    view.unmount();
    const plain = fakeApi({ 'GET /api/jobs/:id': () => wireJob({ id: '9' }) });
    renderApp('/jobs/9', plain.fetch);
    expect(await screen.findByText('Options')).toBeTruthy();
    expect(screen.queryByText('Trace')).toBeNull();
  });

  it('words the cancel dialog for one job, and cancels it when confirmed', async () => {
    let state = 'queued';
    const api = fakeApi({
      'GET /api/jobs/:id': () => wireJob({ id: '7', state }),
      'POST /api/jobs/:id/cancel': () => {
        state = 'cancelled';
        return wireJob({ id: '7', state });
      },
    });
    renderApp('/jobs/7', api.fetch);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel job' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Cancel job #7?');
    const buttons = within(dialog)
      .getAllByRole('button')
      .map((b) => b.textContent);
    expect(buttons).toEqual(['Keep it', 'Cancel job']);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByText('Job #7 cancelled.')).toBeTruthy();
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/jobs/7/cancel',
    ]);
  });

  it('words the delete dialog for one job, and keeps the job when told to', async () => {
    const api = fakeApi({ 'GET /api/jobs/:id': () => wireJob({ id: '8', state: 'failed' }) });
    renderApp('/jobs/8', api.fetch);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    const buttons = within(dialog)
      .getAllByRole('button')
      .map((b) => b.textContent);
    expect(buttons).toEqual(['Keep it', 'Delete job']);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.calls.some((c) => c.method !== 'GET')).toBe(false);
  });
});
