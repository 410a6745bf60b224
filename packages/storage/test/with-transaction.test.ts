import { createClient, defineHandlers, type StoreEvent, ValidationError } from '@jobs/core';
import { drizzle } from 'drizzle-orm/postgres-js';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

const handlers = defineHandlers({
  mailer: {
    send(to: string, subject: string): string {
      return `${to}:${subject}`;
    },
  },
});

const makeClient = (store: PgJobStore) => createClient(store, handlers);
type BoundClient = ReturnType<ReturnType<typeof makeClient>['withTransaction']>;

/** Runs a statement on the caller's transaction, whatever its kind. */
type Query = (text: string) => Promise<unknown[]>;

/** Raised to make the caller's transaction roll back. */
class Rollback extends Error {}

/**
 * Opens a transaction of the caller's of one kind on connections the application owns (their
 * search_path is public, not the jobs schema), runs `body` in it, then commits, or rolls back
 * when `body` throws. Resolves to `body`'s result, or rejects with its error.
 */
interface TxKind {
  readonly name: string;
  open(url: string): Promise<void>;
  run<R>(body: (tx: unknown, query: Query) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

function postgresJsKind(): TxKind {
  let sql: postgres.Sql | undefined;
  return {
    name: 'postgres-js TransactionSql',
    open: async (url) => {
      sql = postgres(url, { max: 2, onnotice: () => {} });
    },
    run: async (body) =>
      (await (sql as postgres.Sql).begin((tx) =>
        body(tx, async (text) => [...(await tx.unsafe(text))]),
      )) as never,
    close: async () => sql?.end({ timeout: 5 }),
  };
}

function drizzleKind(): TxKind {
  let sql: postgres.Sql | undefined;
  return {
    name: 'drizzle transaction over postgres-js',
    open: async (url) => {
      sql = postgres(url, { max: 2, onnotice: () => {} });
    },
    run: (body) =>
      drizzle(sql as postgres.Sql).transaction((tx) =>
        body(tx, async (text) => [...(await tx.execute(text))]),
      ),
    close: async () => sql?.end({ timeout: 5 }),
  };
}

function nodePostgresKind(): TxKind {
  let pool: pg.Pool | undefined;
  return {
    name: 'node-postgres PoolClient (query(text, values))',
    open: async (url) => {
      pool = new pg.Pool({ connectionString: url, max: 2 });
    },
    run: async (body) => {
      const client = await (pool as pg.Pool).connect();
      try {
        await client.query('BEGIN');
        try {
          const result = await body(client, async (text) => (await client.query(text)).rows);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      } finally {
        client.release();
      }
    },
    close: async () => pool?.end(),
  };
}

const KINDS = [postgresJsKind, drizzleKind, nodePostgresKind];

describe.each([
  ['PostgreSQL (TEST_DATABASE_URL)', 'default'],
  ['embedded PostgreSQL 18', 'embedded'],
] as const)('client.withTransaction on %s', (_server, which) => {
  let schema: TestSchema;
  let store: PgJobStore;
  let client: ReturnType<typeof makeClient>;
  const kinds = KINDS.map((make) => make());

  beforeAll(async () => {
    schema = await createTestSchema('with_tx', which);
    store = createPgStore({ url: schema.url, schema: schema.schema });
    client = makeClient(store);
    await Promise.all(kinds.map((kind) => kind.open(schema.url)));
  });

  beforeEach(async () => {
    await schema.truncate();
  });

  afterAll(async () => {
    await Promise.all(kinds.map((kind) => kind.close()));
    await store.close();
    await schema.drop();
  });

  const jobCount = async () => {
    const [row] = await store.connection.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM jobs`;
    return row?.n ?? -1;
  };

  /** Every event the store hears while `body` runs (and a moment after). */
  async function heard(body: () => Promise<void>): Promise<StoreEvent[]> {
    const events: StoreEvent[] = [];
    const stop = await store.eventListen((event) => events.push(event));
    try {
      await body();
      // Notifications of a committed transaction arrive within milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 150));
    } finally {
      await stop();
    }
    return events;
  }

  describe.each(kinds.map((kind) => [kind.name, kind] as const))('with a %s', (_name, kind) => {
    it('leaves no job and sends no event when the caller rolls back', async () => {
      const events = await heard(async () => {
        await expect(
          kind.run(async (tx) => {
            const bound: BoundClient = client.withTransaction(tx);
            const job = await bound.enqueue('mailer', 'send', ['a@b.c', 'receipt']);
            const batch = await bound.enqueueMany([
              { handler: 'mailer', method: 'send', params: ['b@b.c', 'x'] },
            ]);
            await bound.runBackgroundJob('mailer', 'send', ['c@b.c', 'y'], 5, 10);
            expect(job.state).toBe('queued');
            expect(batch).toHaveLength(1);
            throw new Rollback('order failed');
          }),
        ).rejects.toThrow('order failed');
      });
      expect(await jobCount()).toBe(0);
      expect(events).toEqual([]);
    });

    it('makes exactly the enqueued jobs visible at commit, with the client’s defaults', async () => {
      const made = await kind.run(async (tx, query) => {
        const bound = client.withTransaction(tx);
        const one = await bound.runBackgroundJob('mailer', 'send', ['a@b.c', 'hi'], 7, 30);
        const many = await bound.enqueueMany([
          { handler: 'mailer', method: 'send', params: ['b@b.c', 'x'], options: { queue: 'mail' } },
          { handler: 'mailer', method: 'send', params: ['c@b.c', 'y'] },
        ]);
        // The caller's own statements and the jobs share the transaction.
        const [row] = (await query(`SELECT count(*)::int AS n FROM "${schema.schema}".jobs`)) as {
          n: number;
        }[];
        expect(row?.n).toBe(3);
        expect(await jobCount()).toBe(0);
        return [one, ...many];
      });
      const stored = await Promise.all(made.map((job) => store.jobGet({ id: job.id })));
      expect(stored.map((job) => ({ ...job, created: true }))).toEqual(made);
      expect(await jobCount()).toBe(3);
      expect(made[0]).toMatchObject({ priority: 7, state: 'scheduled', maxAttempts: 4 });
      expect(made[1]).toMatchObject({ queue: 'mail', state: 'queued' });
      expect((made[0]?.runAt.getTime() ?? 0) - (made[0]?.createdAt.getTime() ?? 0)).toBe(30_000);
    });

    it('wakes a listening worker at commit: it claims the job within 100 ms (LISTEN, not poll)', async () => {
      let claimed: Promise<unknown> | undefined;
      const stop = await store.eventListen((event) => {
        // What the worker does on an "inserted" wake-up: claim at once.
        if (event.type === 'inserted' && claimed === undefined) {
          claimed = store.jobClaim({ workerId: 'w1', queues: null, limit: 10, leaseMs: 30_000 });
        }
      });
      try {
        const { id, committedMs } = await kind.run(async (tx, query) => {
          const job = await client.withTransaction(tx).enqueue('mailer', 'send', ['a', 'b']);
          await new Promise((resolve) => setTimeout(resolve, 200));
          expect(claimed).toBeUndefined();
          // The database clock just before COMMIT.
          const [clock] = (await query(
            `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms`,
          )) as { ms: number }[];
          return { id: job.id, committedMs: Number(clock?.ms) };
        });
        await expect.poll(() => claimed, { timeout: 2000 }).toBeDefined();
        await claimed;
        const job = await store.jobGet({ id });
        expect(job?.state).toBe('running');
        expect(Number(job?.startedAt?.getTime()) - committedMs).toBeLessThan(100);
      } finally {
        await stop();
      }
    });

    it('treats unique keys as outside a transaction: a held key answers with its holder', async () => {
      const held = await client.enqueue('mailer', 'send', ['a', 'b'], { uniqueKey: 'receipt-1' });
      const [again, first, second] = await kind.run(async (tx) => {
        const bound = client.withTransaction(tx);
        return [
          await bound.enqueue('mailer', 'send', ['c', 'd'], { uniqueKey: 'receipt-1' }),
          ...(await bound.enqueueMany([
            { handler: 'mailer', method: 'send', params: ['e', 'f'], options: { uniqueKey: 'k2' } },
            { handler: 'mailer', method: 'send', params: ['g', 'h'], options: { uniqueKey: 'k2' } },
          ])),
        ];
      });
      expect(held.created).toBe(true);
      expect(again).toEqual({ ...held, created: false });
      expect(first?.created).toBe(true);
      expect(second).toEqual({ ...first, created: false });
      expect(first?.params).toEqual(['e', 'f']);
      expect(await jobCount()).toBe(2);
    });

    it('enqueueMany of 10,000 jobs in one caller transaction is all or nothing', async () => {
      const specs = Array.from({ length: 10_000 }, (_, i) => ({
        handler: 'mailer' as const,
        method: 'send' as const,
        params: [`user${i}@b.c`, 'news'] as const,
      }));
      await expect(
        kind.run(async (tx) => {
          const jobs = await client.withTransaction(tx).enqueueMany(specs);
          expect(jobs).toHaveLength(10_000);
          throw new Rollback('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await jobCount()).toBe(0);
      const jobs = await kind.run((tx) => client.withTransaction(tx).enqueueMany(specs));
      expect(await jobCount()).toBe(10_000);
      expect(new Set(jobs.map((j) => j.id)).size).toBe(10_000);
      expect((await store.jobGet({ id: jobs[9_999]?.id ?? '' }))?.params).toEqual([
        'user9999@b.c',
        'news',
      ]);
    });

    it('refuses a bad spec with a ValidationError before any statement: the transaction goes on', async () => {
      const job = await kind.run(async (tx, query) => {
        const bound = client.withTransaction(tx);
        await expect(
          bound.enqueue('mailer', 'send', ['a', 'b'], { priority: 1.5 }),
        ).rejects.toMatchObject({ name: 'ValidationError', field: 'priority' });
        await expect(
          bound.enqueueMany([
            { handler: 'mailer', method: 'send', params: ['a', 'b'] },
            { handler: 'mailer', method: 'send', params: ['a', 'b'], options: { retries: -1 } },
          ]),
        ).rejects.toMatchObject({ field: 'jobs.1.retries' });
        await expect(
          bound.enqueueUntyped({ handler: 'mailer', method: 'nope', params: [] }),
        ).rejects.toThrow('not a registered method');
        // Still usable: PostgreSQL saw no failed statement.
        expect(await query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        return bound.enqueue('mailer', 'send', ['ok', 'fine']);
      });
      expect(await jobCount()).toBe(1);
      expect((await store.jobGet({ id: job.id }))?.params).toEqual(['ok', 'fine']);
    });
  });

  it('refuses what is not a caller transaction, naming tx', async () => {
    const pool = postgres(schema.url, { max: 1 });
    try {
      for (const tx of [null, 42, {}, { session: {} }, pool]) {
        expect(() => client.withTransaction(tx)).toThrow(ValidationError);
      }
      expect(() => client.withTransaction(pool)).toThrow(/^tx: is a postgres-js pool/);
      expect(() => client.withTransaction({})).toThrow(/^tx: must be a drizzle transaction/);
    } finally {
      await pool.end({ timeout: 5 });
    }
  });
});
