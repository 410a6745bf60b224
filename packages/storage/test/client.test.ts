import { createClient, defineHandlers, ValidationError } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

class SomeClass {
  someMethod(param1: string, param2: number): string {
    return `${param1}:${param2}`;
  }
}

describe('the client over PostgreSQL (the README example)', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  const handlers = defineHandlers({ 'App\\Services\\SomeClass': new SomeClass() });

  beforeAll(async () => {
    schema = await createTestSchema('client');
    store = createPgStore({ url: schema.url, schema: schema.schema });
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('runBackgroundJob stores a delayed, prioritised job with the default retries', async () => {
    const client = createClient(store, handlers);
    const job = await client.runBackgroundJob(
      'App\\Services\\SomeClass',
      'someMethod',
      ['a', 1],
      5,
      30,
    );
    expect(job).toMatchObject({
      handler: 'App\\Services\\SomeClass',
      method: 'someMethod',
      params: ['a', 1],
      priority: 5,
      state: 'scheduled',
      maxAttempts: 4,
    });
    expect(job.runAt.getTime() - job.createdAt.getTime()).toBeGreaterThanOrEqual(29_000);
    expect(job.created).toBe(true);
    expect({ ...(await client.get(job.id)), created: true }).toEqual(job);
  });

  it('enqueueMany stores all in one call, or nothing when one spec is invalid', async () => {
    const client = createClient(store, handlers);
    const before = (await store.jobCount()).byState.queued;
    await expect(
      client.enqueueMany([
        { handler: 'App\\Services\\SomeClass', method: 'someMethod', params: ['b', 2] },
        {
          handler: 'App\\Services\\SomeClass',
          method: 'someMethod',
          params: ['c', 3],
          options: { priority: 1.5 },
        },
      ]),
    ).rejects.toMatchObject({ field: 'jobs.1.priority' });
    expect((await store.jobCount()).byState.queued).toBe(before);
    const jobs = await client.enqueueMany([
      {
        handler: 'App\\Services\\SomeClass',
        method: 'someMethod',
        params: ['b', 2],
        options: { retries: 0 },
      },
      {
        handler: 'App\\Services\\SomeClass',
        method: 'someMethod',
        params: ['c', 3],
        options: { queue: 'mail' },
      },
    ]);
    expect(jobs.map((j) => [j.maxAttempts, j.queue])).toEqual([
      [1, 'default'],
      [4, 'mail'],
    ]);
  });

  it('cancels and retries through the store, with typed errors for bad ids', async () => {
    const client = createClient(store, handlers);
    const job = await client.enqueue('App\\Services\\SomeClass', 'someMethod', ['d', 4]);
    expect((await client.cancel(job.id)).state).toBe('cancelled');
    expect((await client.retry(job.id)).state).toBe('queued');
    await expect(client.get('not-an-id')).rejects.toBeInstanceOf(ValidationError);
  });
});
