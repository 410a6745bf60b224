import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('param_count');
});
beforeEach(async () => {
  await api.schema.truncate();
});
afterAll(async () => {
  await api.close();
});

const seed = { handler: 'App\\Services\\SomeClass', method: 'someMethod' };

describe('the count of params of a method without a schema', () => {
  it.each([
    [[], 'params: someMethod takes 2 arguments (a, b); got 0'],
    [['x'], 'params: someMethod takes 2 arguments (a, b); got 1'],
    [['x', 1, 2], 'params: someMethod takes 2 arguments (a, b); got 3'],
  ])('answers 400 naming params for %j, and stores nothing', async (params, message) => {
    const res = await api.call('POST', '/api/jobs', { json: { ...seed, params } });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      code: 'validation_error',
      field: 'params',
      message,
    });
    expect((await api.store.jobList({ limit: 10 })).jobs).toEqual([]);
  });

  it('answers 400 naming params for params that are not an array', async () => {
    const res = await api.call('POST', '/api/jobs', { json: { ...seed, params: { a: 1 } } });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: 'validation_error', field: 'params' });
  });

  it('names the job in a batch, and stores none of it', async () => {
    const res = await api.call('POST', '/api/jobs/batch', {
      json: {
        jobs: [
          { ...seed, params: [1, 2] },
          { ...seed, params: [1] },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({
      field: 'jobs.1.params',
      message: 'jobs.1.params: someMethod takes 2 arguments (a, b); got 1',
    });
    expect((await api.store.jobList({ limit: 10 })).jobs).toEqual([]);
  });

  it('lists what each method takes', async () => {
    const res = await api.call('GET', '/api/handlers');
    const { handlers } = await res.json();
    const methods = Object.fromEntries(
      handlers.flatMap((h: { name: string; methods: { name: string; arity: unknown }[] }) =>
        h.methods.map((m) => [`${h.name}.${m.name}`, m.arity]),
      ),
    );
    expect(methods).toEqual({
      'mailer.send': { min: 2, max: 2, names: ['to', 'subject'] },
      'App\\Services\\SomeClass.someMethod': { min: 2, max: 2, names: ['a', 'b'] },
      'reports.build': { min: 1, max: 1, names: ['year'] },
    });
  });
});
