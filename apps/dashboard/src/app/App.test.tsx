import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TOKEN_KEY } from './api/session.js';
import { counts, fakeApi } from './testing/fake-api.js';
import { renderApp } from './testing/render.js';

const TOKEN = 's3cret';

function guardedApi() {
  const unauthorized = {
    status: 401,
    body: { error: { code: 'unauthorized', message: 'a valid bearer token is required' } },
  };
  const guard =
    (answer: unknown) =>
    ({ headers }: { headers: Headers }) =>
      headers.get('authorization') === `Bearer ${TOKEN}` ? answer : unauthorized;
  return fakeApi({
    'GET /api/handlers': guard({ handlers: [] }),
    'GET /api/stats': guard({
      byState: counts({ queued: 2 }),
      byQueue: [],
      throughput: { minutes: 60, points: [] },
    }),
    'GET /api/queues': guard({ queues: [] }),
  });
}

describe('signing in', () => {
  it('asks for the token when the API wants one, and keeps it out of the URL', async () => {
    const api = guardedApi();
    const { storage } = renderApp('/', api.fetch);
    const input = await screen.findByLabelText('API token');
    fireEvent.change(input, { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('The API refused this token.')).toBeTruthy();

    fireEvent.change(input, { target: { value: TOKEN } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Overview', level: 1 })).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId('count-queued').textContent).toMatch(/^2/));
    expect(storage.getItem(TOKEN_KEY)).toBe(TOKEN);
    expect(window.location.href).not.toContain(TOKEN);
    expect(
      api.calls.every((c) => !c.path.includes(TOKEN) && !c.query.toString().includes(TOKEN)),
    ).toBe(true);
  });

  it('uses a token kept from earlier in this tab, and forgets it on sign out', async () => {
    const api = guardedApi();
    const { storage } = renderApp('/', api.fetch);
    storage.setItem(TOKEN_KEY, TOKEN);
    const kept = renderApp('/', api.fetch, storage);
    void kept;
    expect(await screen.findByRole('heading', { name: 'Overview', level: 1 })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findAllByRole('heading', { name: 'Sign in to Jobs' })).toBeTruthy();
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('goes straight in when the API needs no token', async () => {
    const api = fakeApi({
      'GET /api/handlers': () => ({ handlers: [] }),
      'GET /api/stats': () => ({
        byState: counts(),
        byQueue: [],
        throughput: { minutes: 60, points: [] },
      }),
      'GET /api/queues': () => ({ queues: [] }),
    });
    renderApp('/', api.fetch);
    expect(await screen.findByRole('heading', { name: 'Overview', level: 1 })).toBeTruthy();
    expect(await screen.findByText(/No queues yet/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
  });
});
