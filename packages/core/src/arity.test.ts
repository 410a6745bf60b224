import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkArity, describeArity } from './arity.js';
import { createClient } from './client.js';
import { ValidationError } from './errors.js';
import { defineHandlers, handler } from './handlers.js';
import { insertedJob, type JobStore, type NewJob } from './store.js';

class SomeClass {
  someMethod(param1: string, param2: number): string {
    return `processed ${param1} × ${param2}`;
  }
  greet(name: string, greeting = 'Hello'): string {
    return `${greeting} ${name}`;
  }
  sum(first: number, ...more: number[]): number {
    return more.reduce((a, b) => a + b, first);
  }
}

const registry = defineHandlers({
  'App\\Services\\SomeClass': new SomeClass(),
  // The schema decides for this one: it takes one to three addresses.
  mailer: handler(
    { send: (...to: string[]) => to.join(',') },
    { schemas: { send: z.array(z.email()).min(1).max(3) } },
  ),
  // Runs from its module in a child process: the object here may be a stub.
  primes: handler({ count: () => 0 }, { isolate: { module: './primes.js' } }),
});

/** A store that only records inserts: enough to see whether anything was written. */
function recordingStore() {
  const inserted: NewJob[] = [];
  const store = {
    async jobInsert({ jobs }: { jobs: readonly NewJob[] }) {
      inserted.push(...jobs);
      return jobs.map((job, i) =>
        insertedJob(job, {
          id: String(i + 1),
          state: 'queued',
          runAt: new Date(0),
          createdAt: new Date(0),
        }),
      );
    },
  } as unknown as JobStore;
  return { inserted, client: createClient(store, registry) };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error,
  );

describe('the count of params, for a method without a schema', () => {
  it.each([
    [[], 'got 0'],
    [['x'], 'got 1'],
    [['x', 1, 2], 'got 3'],
  ])('refuses %j for someMethod(param1, param2) and stores nothing', async (params, got) => {
    const { client, inserted } = recordingStore();
    const error = await refusal(
      client.enqueueUntyped({ handler: 'App\\Services\\SomeClass', method: 'someMethod', params }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      field: 'params',
      message: `params: someMethod takes 2 arguments (param1, param2); ${got}`,
    });
    expect(inserted).toHaveLength(0);
  });

  it('refuses params that are not an array, naming params', async () => {
    const { client, inserted } = recordingStore();
    const error = await refusal(
      client.enqueueUntyped({
        handler: 'App\\Services\\SomeClass',
        method: 'someMethod',
        params: { a: 1 },
      }),
    );
    expect(error).toMatchObject({ field: 'params', message: 'params: must be an array' });
    expect(inserted).toHaveLength(0);
  });

  it('accepts the declared count, through every entry point', async () => {
    const { client, inserted } = recordingStore();
    await client.enqueue('App\\Services\\SomeClass', 'someMethod', ['x', 2]);
    await client.runBackgroundJob('App\\Services\\SomeClass', 'someMethod', ['y', 3]);
    await client.enqueueMany([
      { handler: 'App\\Services\\SomeClass', method: 'someMethod', params: ['z', 4] },
    ]);
    expect(inserted.map((job) => job.params)).toEqual([
      ['x', 2],
      ['y', 3],
      ['z', 4],
    ]);
  });

  it('refuses a wrong count in a batch, naming the job, and stores none of it', async () => {
    const { client, inserted } = recordingStore();
    const error = await refusal(
      client.enqueueManyUntyped([
        { handler: 'App\\Services\\SomeClass', method: 'someMethod', params: ['a', 1] },
        { handler: 'App\\Services\\SomeClass', method: 'someMethod', params: ['b'] },
      ]),
    );
    expect(error).toMatchObject({ field: 'jobs.1.params' });
    expect(inserted).toHaveLength(0);
  });

  it('counts a defaulted parameter as optional', async () => {
    const { client, inserted } = recordingStore();
    const spec = (params: unknown[]) => ({
      handler: 'App\\Services\\SomeClass',
      method: 'greet',
      params,
    });
    await client.enqueueUntyped(spec(['Ada']));
    await client.enqueueUntyped(spec(['Ada', 'Hi']));
    expect(await refusal(client.enqueueUntyped(spec([])))).toMatchObject({
      message: 'params: greet takes 1 to 2 arguments (name, greeting?); got 0',
    });
    expect(await refusal(client.enqueueUntyped(spec(['a', 'b', 'c'])))).toMatchObject({
      message: 'params: greet takes 1 to 2 arguments (name, greeting?); got 3',
    });
    expect(inserted).toHaveLength(2);
  });

  it('lets a rest parameter take any number after the required ones', async () => {
    const { client, inserted } = recordingStore();
    const spec = (params: unknown[]) => ({
      handler: 'App\\Services\\SomeClass',
      method: 'sum',
      params,
    });
    await client.enqueueUntyped(spec([1]));
    await client.enqueueUntyped(spec([1, 2, 3, 4, 5]));
    expect(await refusal(client.enqueueUntyped(spec([])))).toMatchObject({
      message: 'params: sum takes at least 1 argument (first, ...more); got 0',
    });
    expect(inserted).toHaveLength(2);
  });

  it('does not count the params of an isolated handler, whose code lives in its module', async () => {
    const { client, inserted } = recordingStore();
    await client.enqueueUntyped({ handler: 'primes', method: 'count', params: [3_000_000] });
    expect(inserted.map((job) => job.params)).toEqual([[3_000_000]]);
    expect(registry.resolve('primes', 'count').arity).toEqual({ min: 0, max: null, names: null });
  });

  it('leaves the count to the schema when the method has one', async () => {
    const { client, inserted } = recordingStore();
    await client.enqueueUntyped({
      handler: 'mailer',
      method: 'send',
      params: ['a@b.io', 'c@d.io'],
    });
    expect(
      await refusal(client.enqueueUntyped({ handler: 'mailer', method: 'send', params: [] })),
    ).toMatchObject({ field: 'params' });
    expect(inserted).toHaveLength(1);
  });
});

describe('describeArity and checkArity', () => {
  it('says how many arguments a method takes', () => {
    expect(describeArity({ min: 0, max: 0, names: [] })).toBe('no arguments');
    expect(describeArity({ min: 1, max: 1, names: ['to'] })).toBe('1 argument (to)');
    expect(describeArity({ min: 2, max: null, names: null })).toBe('at least 2 arguments');
  });

  it('throws a ValidationError on the field it is given', () => {
    const target = { method: 'ping', arity: { min: 0, max: 0, names: [] } };
    expect(() => checkArity(target, [1], 'jobs.0.params')).toThrow(
      'jobs.0.params: ping takes no arguments; got 1',
    );
    expect(() => checkArity(target, [])).not.toThrow();
  });
});
