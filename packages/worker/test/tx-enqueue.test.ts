import { createClient, defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { getJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

// Jobs enqueued inside a caller's transaction (the client bound with withTransaction, and the
// SQL function) reach a running worker through LISTEN at commit, not through its poll: the
// worker polls once a minute here, and the database clock measures commit to start.

describe('a job enqueued in a caller transaction wakes an idle worker at commit', () => {
  trackWorkers();
  const pg = usePg('txwake');

  const ran: string[] = [];
  const handlers = defineHandlers({
    mailer: {
      receipt(orderId: number): string {
        ran.push(String(orderId));
        return `receipt ${orderId}`;
      },
    },
  });

  /** What the test uses of the application's postgres-js transaction. */
  interface Tx {
    (strings: TemplateStringsArray, ...values: unknown[]): Promise<unknown>;
    unsafe<T = unknown[]>(query: string): Promise<T>;
  }

  /** Commits `body` in a transaction of the application; returns the database clock just after. */
  async function commit(body: (tx: Tx) => Promise<unknown>): Promise<Date> {
    const app = pg.other.connection.sql;
    await app.begin((tx) => body(tx as unknown as Tx));
    const [row] = await app.unsafe<{ ms: number }[]>(
      'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms',
    );
    if (row === undefined) throw new Error('no clock');
    return new Date(Number(row.ms));
  }

  async function startedWithin(id: string, committedAt: Date, what: string): Promise<number> {
    const job = await waitFor(
      async () => {
        const found = await getJob(pg.other, id);
        return found.state === 'completed' ? found : null;
      },
      5_000,
      `${what} to complete`,
    );
    expect(job.startedAt).not.toBeNull();
    return (job.startedAt?.getTime() ?? 0) - committedAt.getTime();
  }

  it('starts within 100 ms of the commit, for the bound client and the SQL function; a rollback leaves nothing', async () => {
    const worker = testWorker({ store: pg.store, handlers, pollIntervalMs: 60_000 });
    await worker.start();
    // The first claim round (at start) has found nothing: the worker is idle now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const client = createClient(pg.store, handlers);
    const schema = pg.schema.schema;

    let boundId = '';
    const boundAt = await commit(async (tx) => {
      await tx`SELECT 1`; // the order row would be written here
      const job = await client.withTransaction(tx).enqueue('mailer', 'receipt', [1]);
      boundId = job.id;
    });
    const boundLag = await startedWithin(boundId, boundAt, 'the bound client job');

    let sqlId = '';
    const sqlAt = await commit(async (tx) => {
      const [row] = await tx.unsafe<{ id: string }[]>(
        `SELECT ${schema}.enqueue('mailer', 'receipt', '[2]'::jsonb)::text AS id`,
      );
      sqlId = row?.id ?? '';
    });
    const sqlLag = await startedWithin(sqlId, sqlAt, 'the SQL function job');

    await expect(
      commit(async (tx) => {
        await client.withTransaction(tx).enqueue('mailer', 'receipt', [3]);
        await tx.unsafe(`SELECT ${schema}.enqueue('mailer', 'receipt', '[4]'::jsonb)`);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await worker.stop();

    expect(ran).toEqual(['1', '2']);
    expect((await pg.other.jobCount()).byState.completed).toBe(2);
    expect((await pg.other.jobList({ limit: 10 })).jobs).toHaveLength(2);
    console.log(`tx enqueue: commit to start ${boundLag} ms (bound client), ${sqlLag} ms (SQL)`);
    expect(boundLag).toBeLessThan(100);
    expect(sqlLag).toBeLessThan(100);
  });
});
