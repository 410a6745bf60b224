import { type EnqueuedJob, normalizeUniqueRule } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

/**
 * Why an enqueue with a window takes the key's lock: a partial unique index sees only
 * unfinished jobs, so without the lock a slow insert (its snapshot taken before another
 * enqueuer's commit) would miss a holder that was inserted, committed and completed while it
 * ran, and add a second job inside the window. A trigger makes one insert slow on purpose.
 */
describe('the unique key lock', () => {
  let schema: TestSchema;
  let slow: PgJobStore;
  let fast: PgJobStore;
  let worker: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('unique_lock');
    slow = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
    fast = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
    worker = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
    // Inserting a job whose params are ["slow"] takes 1 s, between the statement's snapshot and
    // the unique index check.
    await slow.connection.sql.unsafe(`
      CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.params = '["slow"]'::jsonb THEN PERFORM pg_sleep(1); END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER slow_insert BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION slow_insert();`);
  });
  beforeEach(async () => {
    await schema.truncate();
  });
  afterAll(async () => {
    await Promise.all([slow.close(), fast.close(), worker.close()]);
    await schema.drop();
  });

  const rule = normalizeUniqueRule('k', 3600, undefined);
  const windowed = (params: string[]) =>
    newJob({ params, uniqueKey: 'k', ...(rule === undefined ? {} : { uniqueRule: rule }) });

  /** Enqueues through the store, or through the SQL function `enqueue_status`. */
  async function enqueue(store: PgJobStore, via: 'store' | 'sql', params: string[]) {
    if (via === 'store') {
      const [job] = await store.jobInsert({ jobs: [windowed(params)] });
      return { id: job?.id, created: job?.created };
    }
    const [row] = await store.connection.sql<{ id: string; created: boolean }[]>`
      SELECT id::text AS id, created FROM enqueue_status('mailer', 'send', ${JSON.stringify(params)}::jsonb,
        ${JSON.stringify({ uniqueKey: 'k', uniqueFor: 3600 })}::jsonb)`;
    return { id: row?.id, created: row?.created };
  }

  /** Completes every due job as soon as it is committed, until `until` settles. */
  async function completeAtOnce(until: Promise<unknown>): Promise<number> {
    let over = false;
    void until.finally(() => {
      over = true;
    });
    let completed = 0;
    while (!over) {
      const jobs = await worker.jobClaim({
        workerId: 'w',
        queues: null,
        limit: 10,
        leaseMs: 60_000,
      });
      if (jobs.length > 0) {
        const done = await worker.jobComplete({
          workerId: 'w',
          jobs: jobs.map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
        });
        completed += done.length;
      } else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return completed;
  }

  for (const slowVia of ['store', 'sql'] as const) {
    for (const fastVia of ['store', 'sql'] as const) {
      it(`keeps one job per window when a holder completes during a slow insert (${slowVia} slow, ${fastVia} fast)`, async () => {
        const slowAnswer = enqueue(slow, slowVia, ['slow']);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const fastAnswer = enqueue(fast, fastVia, ['fast']);
        const both = Promise.all([slowAnswer, fastAnswer]);
        await completeAtOnce(both);
        const answers = await both;
        expect(answers.filter((a) => a.created)).toHaveLength(1);
        expect(new Set(answers.map((a) => a.id)).size).toBe(1);
        const [row] = await slow.connection.sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM jobs WHERE unique_key = 'k'`;
        expect(row?.n).toBe(1);
      }, 20_000);
    }
  }

  it('refuses a window inside a REPEATABLE READ transaction, naming the option', async () => {
    const attempt = slow.connection.sql.begin('isolation level repeatable read', async (tx) => {
      return slow.withExecutor(tx).jobInsert({ jobs: [windowed(['x'])] });
    });
    await expect(attempt).rejects.toThrow(
      'uniqueFor: needs a READ COMMITTED transaction (this one is repeatable read)',
    );
    const sqlAttempt = slow.connection.sql.begin(
      'isolation level repeatable read',
      (tx) =>
        tx`SELECT enqueue_status('mailer', 'send', '[]'::jsonb, '{"uniqueKey": "k", "uniqueStates": ["completed"]}'::jsonb)`,
    );
    await expect(sqlAttempt).rejects.toThrow('uniqueStates: needs a READ COMMITTED transaction');
    // The default rule needs no more than the unique index: fine in any isolation level.
    const plain = await slow.connection.sql.begin('isolation level repeatable read', (tx) =>
      slow.withExecutor(tx).jobInsert({ jobs: [newJob({ uniqueKey: 'plain' })] }),
    );
    expect((plain as EnqueuedJob[])[0]?.created).toBe(true);
  });
});
