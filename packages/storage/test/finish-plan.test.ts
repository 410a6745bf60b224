import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../src/connection.js';
import { completeJobs } from '../src/sql/finish.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';
import { flatten, type PlanNode } from './explain-function.js';

/** The statement and parameters `completeJobs` sends, without running it. */
async function completionStatement(
  workerId: string,
  jobs: readonly { id: string; attempt: number }[],
): Promise<{ text: string; params: unknown[] }> {
  let sent: { text: string; params: unknown[] } | undefined;
  const capture = {
    sql: {
      unsafe: (text: string, params: unknown[]) => {
        sent = { text, params };
        return Promise.resolve([]);
      },
    },
  } as unknown as Connection;
  await completeJobs(
    capture,
    workerId,
    jobs.map((j) => ({ ...j, result: null })),
  );
  if (sent === undefined) throw new Error('completeJobs sent nothing');
  return sent;
}

describe('the completion plan', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('finish_plan');
    store = createPgStore({ url: schema.url, schema: schema.schema });
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('finds each completed attempt by primary key, even when statistics say no job runs', async () => {
    // Finished jobs far outnumber the others, as in production.
    await store.connection.sql.unsafe(`
      INSERT INTO jobs (handler, method, params, state, attempt, max_attempts, backoff, finished_at)
      SELECT 'mailer', 'send', '[]', 'completed', 1, 4, '{"kind":"fixed","delayMs":0}', now()
        FROM generate_series(1, 50000)`);
    await store.jobInsert({ jobs: Array.from({ length: 3_000 }, () => newJob()) });
    // Analyzed while no job runs: the statistics say none does.
    await store.connection.sql.unsafe('ANALYZE jobs');
    const claimed = await store.jobClaim({
      workerId: 'w',
      queues: null,
      limit: 1_500,
      leaseMs: 60_000,
    });
    const { text, params } = await completionStatement('w', claimed.slice(0, 500));
    const [row] = await store.connection.sql.unsafe<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(
      `EXPLAIN (FORMAT JSON) ${text}`,
      params as never,
    );
    const reads = flatten(row?.['QUERY PLAN'][0].Plan as PlanNode).filter(
      (n) => n['Relation Name'] === 'jobs' && n['Node Type'] !== 'ModifyTable',
    );
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read['Index Name']).toBe('jobs_pkey');
    // And the statement completes exactly the listed attempts.
    expect(
      (
        await store.jobComplete({
          workerId: 'w',
          jobs: claimed.slice(0, 500).map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
        })
      ).length,
    ).toBe(500);
  });
});
