import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient, STREAM_CHUNK_JOBS, STREAM_MIN_JOBS } from './client.js';
import { clientDefaultsFromEnv } from './client-env.js';
import {
  IllegalTransitionError,
  JobNotFoundError,
  UnknownHandlerError,
  ValidationError,
} from './errors.js';
import { defineHandlers, handler } from './handlers.js';
import type { Job, JobState } from './job.js';
import { transition } from './states.js';
import { insertedJob, type JobStore, type NewJob } from './store.js';

const NOW = new Date('2024-05-01T00:00:00.000Z');

/** An in-memory JobStore that records what it was asked to insert. */
function fakeStore() {
  const jobs = new Map<string, Job>();
  const inserts: NewJob[][] = [];
  let nextId = 1;
  const notUsed = () => Promise.reject(new Error('not used by the client'));
  const apply = (ids: readonly string[], type: 'cancel' | 'retry-now') =>
    ids.flatMap((id) => {
      const job = jobs.get(id);
      if (job === undefined) return [];
      try {
        const next = transition(job, { type });
        const changed: Job = { ...job, state: next.to, maxAttempts: next.maxAttempts };
        jobs.set(id, changed);
        return [changed];
      } catch {
        return [];
      }
    });
  const store: JobStore = {
    async jobInsert({ jobs: batch }) {
      inserts.push([...batch]);
      return batch.map((spec) => {
        const runAt =
          'at' in spec.runAt ? spec.runAt.at : new Date(NOW.getTime() + spec.runAt.delayMs);
        const job = insertedJob(spec, {
          id: String(nextId++),
          state: runAt > NOW ? 'scheduled' : 'queued',
          runAt,
          createdAt: NOW,
        });
        jobs.set(job.id, job);
        return { ...job, created: true };
      });
    },
    jobGet: async ({ id }) => jobs.get(id) ?? null,
    jobList: async ({ limit }) => ({ jobs: [...jobs.values()].slice(0, limit), nextCursor: null }),
    jobCancel: async ({ ids }) => apply(ids, 'cancel'),
    jobRetry: async ({ ids }) => apply(ids, 'retry-now'),
    jobDelete: notUsed,
    jobClaim: notUsed,
    jobComplete: notUsed,
    jobFail: notUsed,
    jobRelease: notUsed,
    jobProgressSet: notUsed,
    jobCount: notUsed,
    leaseRenew: notUsed,
    leaseRescue: notUsed,
    queueList: notUsed,
    queuePause: notUsed,
    queueResume: notUsed,
    queueLimitsSet: notUsed,
    queueUsageList: notUsed,
    eventListen: notUsed,
  };
  const setState = (id: string, state: JobState) => {
    const job = jobs.get(id);
    if (job !== undefined) jobs.set(id, { ...job, state });
  };
  return { store, inserts, setState };
}

class SomeClass {
  handle(userId: number, note = ''): string {
    return `${userId}:${note ?? ''}`;
  }
}

const registry = defineHandlers({
  'App\\Services\\SomeClass': new SomeClass(),
  mailer: handler(
    { send: (to: string, subject: string) => `${to}:${subject}` },
    { schemas: { send: z.tuple([z.string().trim().pipe(z.email()), z.string().min(1)]) } },
  ),
  reports: { rebuild: () => 'done' },
});

function setup() {
  const fake = fakeStore();
  return { ...fake, client: createClient(fake.store, registry) };
}

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

describe('enqueue', () => {
  it('stores a job with the defaults filled in', async () => {
    const { client, inserts } = setup();
    const job = await client.enqueue('App\\Services\\SomeClass', 'handle', [42, 'hi']);
    expect(job).toMatchObject({ id: '1', state: 'queued', params: [42, 'hi'], maxAttempts: 4 });
    expect(inserts).toHaveLength(1);
    expect(inserts[0]?.[0]).toMatchObject({ queue: 'default', priority: 0, runAt: { delayMs: 0 } });
  });

  it('applies the client defaults it was created with', async () => {
    const fake = fakeStore();
    const client = createClient(fake.store, registry, { defaults: { queue: 'low', retries: 0 } });
    await client.enqueue('reports', 'rebuild', []);
    expect(fake.inserts[0]?.[0]).toMatchObject({ queue: 'low', maxAttempts: 1 });
  });

  it('stores the schema output as the params', async () => {
    const { client } = setup();
    const job = await client.enqueue('mailer', 'send', ['  a@b.io ', 'Hi']);
    expect(job.params).toEqual(['a@b.io', 'Hi']);
  });

  it('refuses params the schema rejects, naming the path, and stores nothing', async () => {
    const { client, inserts } = setup();
    const error = await rejection(client.enqueue('mailer', 'send', ['nope', 'Hi']));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'params.0' });
    expect(inserts).toHaveLength(0);
  });

  it('refuses bad options and stores nothing', async () => {
    const { client, inserts } = setup();
    const error = await rejection(client.enqueue('reports', 'rebuild', [], { priority: 0.5 }));
    expect(error).toMatchObject({ field: 'priority' });
    expect(inserts).toHaveLength(0);
  });
});

describe('runBackgroundJob', () => {
  it('takes the seed helper arguments, with the delay in seconds', async () => {
    const { client, inserts } = setup();
    const job = await client.runBackgroundJob('App\\Services\\SomeClass', 'handle', [7], 5, 30);
    expect(job.state).toBe('scheduled');
    expect(inserts[0]?.[0]).toMatchObject({ priority: 5, runAt: { delayMs: 30_000 } });
  });

  it('honours MAX_RETRIES when the application passes its environment', async () => {
    const fake = fakeStore();
    const env = { MAX_RETRIES: '7' };
    const client = createClient(fake.store, registry, { defaults: clientDefaultsFromEnv(env) });
    const job = await client.enqueue('reports', 'rebuild', []);
    expect(job.maxAttempts).toBe(8);
    expect(fake.inserts[0]?.[0]?.maxAttempts).toBe(8);
    // A job's own retries still win, and an unset MAX_RETRIES keeps the default of 3.
    expect((await client.enqueue('reports', 'rebuild', [], { retries: 1 })).maxAttempts).toBe(2);
    const plain = createClient(fake.store, registry, { defaults: clientDefaultsFromEnv({}) });
    expect((await plain.enqueue('reports', 'rebuild', [])).maxAttempts).toBe(4);
    // Laid over other defaults, MAX_RETRIES sets only the retries.
    const merged = createClient(fake.store, registry, {
      defaults: { queue: 'low', retries: 1, ...clientDefaultsFromEnv(env) },
    });
    expect(await merged.enqueue('reports', 'rebuild', [])).toMatchObject({
      queue: 'low',
      maxAttempts: 8,
    });
  });

  it('defaults params to none, priority to 0 and delay to 0', async () => {
    const { client, inserts } = setup();
    await client.runBackgroundJob('reports', 'rebuild');
    expect(inserts[0]?.[0]).toMatchObject({ params: [], priority: 0, runAt: { delayMs: 0 } });
  });
});

describe('enqueueUntyped', () => {
  it('enqueues input that was not type-checked', async () => {
    const { client } = setup();
    const job = await client.enqueueUntyped({
      handler: 'mailer',
      method: 'send',
      params: ['a@b.io', 'Hi'],
      options: { queue: 'mail', tags: ['welcome'] },
    });
    expect(job).toMatchObject({ queue: 'mail', tags: ['welcome'] });
  });

  it.each([
    [{ handler: 'nobody', method: 'x' }],
    [{ handler: 'mailer', method: 'toString' }],
    [{ handler: '__proto__', method: 'x' }],
    [{ handler: 'reports', method: 'constructor' }],
  ])('refuses what is not on the allow-list: %o', async (spec) => {
    const { client, inserts } = setup();
    expect(await rejection(client.enqueueUntyped(spec))).toBeInstanceOf(UnknownHandlerError);
    expect(inserts).toHaveLength(0);
  });

  it.each([
    ['handler', { handler: 1, method: 'x' }],
    ['method', { handler: 'reports', method: null }],
    ['options', { handler: 'reports', method: 'rebuild', options: 'fast' }],
    ['params.0', { handler: 'reports', method: 'rebuild', params: [() => 1] }],
    ['params', { handler: 'mailer', method: 'send', params: 'a@b.io' }],
    ['runAt', { handler: 'reports', method: 'rebuild', options: { runAt: '2030-01-01' } }],
  ])('names %s when the input is malformed', async (field, spec) => {
    const { client, inserts } = setup();
    expect(await rejection(client.enqueueUntyped(spec))).toMatchObject({ field });
    expect(inserts).toHaveLength(0);
  });

  it('respects the params size limit it was created with', async () => {
    const fake = fakeStore();
    const client = createClient(fake.store, registry, { maxParamsBytes: 8 });
    const spec = { handler: 'reports', method: 'rebuild', params: ['0123456789'] };
    expect(await rejection(client.enqueueUntyped(spec))).toMatchObject({ field: 'params' });
  });
});

describe('enqueueMany', () => {
  it('inserts every job in one store call, in order', async () => {
    const { client, inserts } = setup();
    const jobs = await client.enqueueMany([
      { handler: 'reports', method: 'rebuild', params: [] },
      { handler: 'mailer', method: 'send', params: ['a@b.io', 'Hi'], options: { priority: 9 } },
      { handler: 'App\\Services\\SomeClass', method: 'handle', params: [1] },
    ]);
    expect(jobs.map((job) => job.method)).toEqual(['rebuild', 'send', 'handle']);
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toHaveLength(3);
  });

  it('stores nothing and names the index when any spec is invalid', async () => {
    const { client, inserts } = setup();
    const error = await rejection(
      client.enqueueMany([
        { handler: 'reports', method: 'rebuild', params: [] },
        { handler: 'reports', method: 'rebuild', params: [] },
        { handler: 'reports', method: 'rebuild', params: [] },
        { handler: 'reports', method: 'rebuild', params: [], options: { priority: 2.5 } },
      ]),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'jobs.3.priority' });
    expect((error as Error).message).toBe('jobs.3.priority: must be an integer');
    expect(inserts).toHaveLength(0);
  });

  it('reports schema failures and unknown handlers by index', async () => {
    const { client, inserts } = setup();
    const specs = [
      { handler: 'mailer', method: 'send', params: ['a@b.io', 'Hi'] },
      { handler: 'mailer', method: 'send', params: ['a@b.io', ''] },
    ];
    expect(await rejection(client.enqueueManyUntyped(specs))).toMatchObject({
      field: 'jobs.1.params.1',
    });
    expect(
      await rejection(client.enqueueManyUntyped([{ handler: 'nobody', method: 'x' }])),
    ).toMatchObject({ field: 'jobs.0.handler', cause: expect.any(UnknownHandlerError) });
    expect(
      await rejection(client.enqueueManyUntyped([{ handler: 'reports', method: 'bind' }])),
    ).toMatchObject({ field: 'jobs.0.method' });
    expect(inserts).toHaveLength(0);
  });

  it('does not call the store for an empty batch', async () => {
    const { client, inserts } = setup();
    expect(await client.enqueueMany([])).toEqual([]);
    expect(inserts).toHaveLength(0);
  });
});

describe('enqueueMany of a large batch, on a store that takes jobs in chunks', () => {
  /** The fake store with `jobInsertStream`: records each chunk, inserts once all arrived. */
  function streamingSetup() {
    const fake = fakeStore();
    const streams: { count: number; chunks: number[] }[] = [];
    const store: JobStore = {
      ...fake.store,
      async jobInsertStream({ count, chunks }) {
        const stream = { count, chunks: [] as number[] };
        streams.push(stream);
        const all: NewJob[] = [];
        for await (const chunk of chunks) {
          stream.chunks.push(chunk.length);
          all.push(...chunk);
        }
        return fake.store.jobInsert({ jobs: all });
      },
    };
    return {
      ...fake,
      streams,
      client: createClient(store, registry, { defaults: { queue: 'q' } }),
    };
  }
  const plain = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      handler: 'reports' as const,
      method: 'rebuild' as const,
      params: [] as [],
      options: { priority: i % 3 },
    }));

  it('hands the jobs over in chunks as they are checked, in order', async () => {
    const { client, streams, inserts } = streamingSetup();
    const jobs = await client.enqueueMany(plain(STREAM_MIN_JOBS + 1));
    expect(streams).toHaveLength(1);
    expect(streams[0]?.count).toBe(STREAM_MIN_JOBS + 1);
    const sizes = streams[0]?.chunks ?? [];
    expect(sizes.slice(0, -1).every((n) => n === STREAM_CHUNK_JOBS)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(STREAM_MIN_JOBS + 1);
    expect(jobs.map((job) => job.priority)).toEqual(
      plain(STREAM_MIN_JOBS + 1).map((s) => s.options.priority),
    );
    expect(inserts[0]?.[0]).toMatchObject({ queue: 'q', handler: 'reports', maxAttempts: 4 });
  });

  it('stops at a bad spec, naming it: the store gets the error and inserts nothing', async () => {
    const { client, streams, inserts } = streamingSetup();
    const specs = plain(STREAM_MIN_JOBS);
    const bad = STREAM_CHUNK_JOBS * 3 + 7;
    const error = await rejection(
      client.enqueueMany(
        specs.map((s, i) => (i === bad ? { ...s, options: { priority: 0.5 } } : s)),
      ),
    );
    expect(error).toMatchObject({ name: 'ValidationError', field: `jobs.${bad}.priority` });
    expect(streams[0]?.chunks).toEqual([STREAM_CHUNK_JOBS, STREAM_CHUNK_JOBS, STREAM_CHUNK_JOBS]);
    expect(inserts).toHaveLength(0);
  });

  it('takes the usual insert for small batches, unique keys, dependencies and transactions', async () => {
    const { client, store, streams, inserts } = streamingSetup();
    await client.enqueueMany(plain(STREAM_MIN_JOBS - 1));
    const keyed = plain(STREAM_MIN_JOBS).map((s, i) =>
      i === 10 ? { ...s, options: { uniqueKey: 'k' } } : s,
    );
    await client.enqueueMany(keyed);
    expect(streams).toHaveLength(0);
    expect(inserts.map((batch) => batch.length)).toEqual([STREAM_MIN_JOBS - 1, STREAM_MIN_JOBS]);
    const waiting = plain(STREAM_MIN_JOBS).map((s, i) =>
      i === 10 ? { ...s, options: { dependsOn: ['1'] } } : s,
    );
    // The fake store holds no dependencies: the flow path says so.
    await expect(client.enqueueMany(waiting)).rejects.toMatchObject({ field: 'dependsOn' });
    const bound = createClient({ ...store, withExecutor: () => store }, registry);
    await bound.withTransaction({}).enqueueMany(plain(STREAM_MIN_JOBS));
    expect(streams).toHaveLength(0);
  });
});

describe('withTransaction', () => {
  it('inserts through the store’s executor-bound insert, with the same checks and defaults', async () => {
    const { store, inserts } = fakeStore();
    const executors: unknown[] = [];
    const bound: NewJob[][] = [];
    const client = createClient(
      {
        ...store,
        withExecutor(executor) {
          executors.push(executor);
          return {
            jobInsert: async (params) => {
              bound.push([...params.jobs]);
              return store.jobInsert(params);
            },
          };
        },
      },
      registry,
      { defaults: { retries: 1 } },
    );
    const tx = { caller: 'transaction' };
    const txClient = client.withTransaction(tx);
    const job = await txClient.runBackgroundJob('reports', 'rebuild', [], 3, 2);
    await txClient.enqueueMany([{ handler: 'reports', method: 'rebuild', params: [] }]);
    await expect(
      txClient.enqueue('reports', 'rebuild', [], { priority: 0.5 }),
    ).rejects.toMatchObject({ field: 'priority' });
    expect(executors).toEqual([tx]);
    expect(job).toMatchObject({ priority: 3, maxAttempts: 2, state: 'scheduled' });
    expect(bound.map((batch) => batch.length)).toEqual([1, 1]);
    // Only the bound insert ran: nothing went through the store's own.
    expect(inserts).toEqual(bound);
  });

  it('says so, naming tx, when the store cannot insert on a caller’s transaction', () => {
    const { client } = setup();
    expect(() => client.withTransaction({})).toThrow(
      new ValidationError('tx', 'this store cannot enqueue inside a caller’s transaction'),
    );
  });
});

describe('get and list', () => {
  it('finds a stored job and gives null for a missing one', async () => {
    const { client } = setup();
    const job = await client.enqueue('reports', 'rebuild', []);
    expect({ ...(await client.get(job.id)), created: true }).toEqual(job);
    expect(await client.get('999')).toBeNull();
  });

  it.each([['0'], ['-1'], ['01'], ['1.5'], ['abc'], ['9223372036854775808'], ['']])(
    'refuses the malformed id %j',
    async (id) => {
      const { client } = setup();
      expect(await rejection(client.get(id))).toMatchObject({ field: 'id' });
      expect(await rejection(client.cancel(id))).toMatchObject({ field: 'id' });
    },
  );

  it('checks the page size and states', async () => {
    const { client } = setup();
    expect(await rejection(client.list({ limit: 0 }))).toMatchObject({ field: 'limit' });
    const states = ['queued', 'sleeping'] as unknown as JobState[];
    expect(await rejection(client.list({ limit: 10, states }))).toMatchObject({
      field: 'states.1',
    });
    expect((await client.list({ limit: 10 })).jobs).toEqual([]);
  });
});

describe('cancel and retry', () => {
  it('cancels a queued job', async () => {
    const { client } = setup();
    const job = await client.enqueue('reports', 'rebuild', []);
    expect((await client.cancel(job.id)).state).toBe('cancelled');
  });

  it('throws JobNotFoundError for a missing job', async () => {
    const { client } = setup();
    expect(await rejection(client.cancel('404'))).toBeInstanceOf(JobNotFoundError);
    expect(await rejection(client.retry('404'))).toBeInstanceOf(JobNotFoundError);
  });

  it('throws IllegalTransitionError when cancelling a final job', async () => {
    const { client, setState } = setup();
    const job = await client.enqueue('reports', 'rebuild', []);
    setState(job.id, 'completed');
    const error = await rejection(client.cancel(job.id));
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ from: 'completed', event: 'cancel' });
  });

  it('retries a cancelled job and refuses to retry a queued or completed one', async () => {
    const { client, setState } = setup();
    const job = await client.enqueue('reports', 'rebuild', []);
    expect(await rejection(client.retry(job.id))).toBeInstanceOf(IllegalTransitionError);
    await client.cancel(job.id);
    expect((await client.retry(job.id)).state).toBe('queued');
    setState(job.id, 'completed');
    expect(await rejection(client.retry(job.id))).toBeInstanceOf(IllegalTransitionError);
  });
});
