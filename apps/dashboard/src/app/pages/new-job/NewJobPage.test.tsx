import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, wireJob } from '../../testing/fake-api.js';
import { renderApp } from '../../testing/render.js';

const handlers = {
  handlers: [
    {
      name: 'reports',
      isolated: false,
      methods: [
        {
          name: 'build',
          hasSchema: true,
          paramsSchema: { type: 'array', prefixItems: [{ type: 'integer' }] },
          arity: { min: 1, max: 1, names: ['year'] },
        },
      ],
    },
    {
      name: 'App\\Services\\SomeClass',
      isolated: false,
      methods: [
        {
          name: 'someMethod',
          hasSchema: false,
          paramsSchema: null,
          arity: { min: 2, max: 2, names: ['param1', 'param2'] },
        },
      ],
    },
  ],
};

async function fill(params: string, handler = 'reports', method = 'build') {
  await screen.findByRole('heading', { name: 'New job', level: 1 });
  fireEvent.change(await screen.findByLabelText('Handler'), { target: { value: handler } });
  fireEvent.change(screen.getByLabelText('Method'), { target: { value: method } });
  fireEvent.change(screen.getByLabelText(/^Params/), { target: { value: params } });
}

describe('the New job form', () => {
  it('checks the count a method without a schema takes before sending anything', async () => {
    const api = fakeApi({ 'GET /api/handlers': () => handlers });
    renderApp('/jobs/new', api.fetch);
    await fill('["x"]', 'App\\Services\\SomeClass', 'someMethod');
    expect(screen.getByText(/Without a schema, only their number is checked/).textContent).toBe(
      'someMethod takes 2 arguments (param1, param2). Without a schema, only their number is checked.',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Enqueue job' }));
    expect((await screen.findByTestId('error-params')).textContent).toBe(
      'params: someMethod takes 2 arguments (param1, param2); got 1',
    );
    const params = screen.getByLabelText(/^Params/);
    expect(params.getAttribute('aria-invalid')).toBe('true');
    expect(params.getAttribute('aria-describedby')).toContain(
      screen.getByTestId('error-params').id,
    );
    expect(document.activeElement).toBe(params);
    expect(api.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('never claims the server checks what it does not', async () => {
    const api = fakeApi({ 'GET /api/handlers': () => handlers });
    renderApp('/jobs/new', api.fetch);
    await fill('[]', 'App\\Services\\SomeClass', 'someMethod');
    expect(document.body.textContent).not.toMatch(/checks them against the method/);
  });

  it("shows the server's field error next to that field", async () => {
    const api = fakeApi({
      'GET /api/handlers': () => handlers,
      'POST /api/jobs': () => ({
        status: 400,
        body: {
          error: {
            code: 'validation_error',
            message: 'params.0: must be 2000 or later',
            field: 'params.0',
          },
        },
      }),
    });
    renderApp('/jobs/new', api.fetch);
    await fill('[1999]');
    fireEvent.change(screen.getByLabelText(/^Priority/), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText(/^Retries/), { target: { value: '1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Enqueue job' }));
    expect((await screen.findByTestId('error-params')).textContent).toBe(
      'params.0: must be 2000 or later',
    );
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      handler: 'reports',
      method: 'build',
      params: [1999],
      priority: 3,
      retries: 1,
    });
  });

  it('goes to the new job once it is stored', async () => {
    const api = fakeApi({
      'GET /api/handlers': () => handlers,
      'POST /api/jobs': () => ({
        status: 201,
        body: { ...wireJob({ id: '77', handler: 'reports', method: 'build' }), created: true },
      }),
      'GET /api/jobs/:id': () =>
        wireJob({ id: '77', handler: 'reports', method: 'build', params: [2024] }),
    });
    renderApp('/jobs/new', api.fetch);
    await fill('[2024]');
    fireEvent.click(screen.getByRole('button', { name: 'Enqueue job' }));
    await waitFor(() => expect(window.location.pathname).toBe('/jobs/77'));
    expect(await screen.findByText('Enqueued job #77.')).toBeTruthy();
  });

  it('says when the unique key was held and goes to the job holding it', async () => {
    const api = fakeApi({
      'GET /api/handlers': () => handlers,
      'POST /api/jobs': () => ({
        status: 200,
        body: {
          ...wireJob({ id: '12', handler: 'reports', method: 'build', uniqueKey: 'year-2024' }),
          created: false,
        },
      }),
      'GET /api/jobs/:id': () =>
        wireJob({ id: '12', handler: 'reports', method: 'build', params: [2024] }),
    });
    renderApp('/jobs/new', api.fetch);
    await fill('[2024]');
    fireEvent.change(screen.getByLabelText('Unique key'), { target: { value: 'year-2024' } });
    fireEvent.change(screen.getByLabelText(/^Unique for/), { target: { value: '600' } });
    fireEvent.click(screen.getByRole('button', { name: 'Enqueue job' }));
    await waitFor(() => expect(window.location.pathname).toBe('/jobs/12'));
    expect(
      await screen.findByText(
        'Already queued as job #12: its unique key is held, so no new job was made.',
      ),
    ).toBeTruthy();
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      handler: 'reports',
      method: 'build',
      params: [2024],
      uniqueKey: 'year-2024',
      uniqueFor: 600,
    });
  });
});
