import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_CANDIDATES_SQL } from '../src/sql/claim.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

/** The plan of `statement` as the claim function runs it: with sorting turned off. */
async function planOf(
  store: PgJobStore,
  statement: string,
  params: unknown[],
): Promise<PlanNode[]> {
  const rows = await store.connection.sql.begin(async (tx) => {
    await tx`SET LOCAL enable_sort = off`;
    return tx.unsafe<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(
      `EXPLAIN (FORMAT JSON) ${statement}`,
      params as never[],
    );
  });
  const root = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (root === undefined) throw new Error('no plan');
  return flatten(root);
}

describe('the claim query plan', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('claim_plan');
    store = createPgStore({ url: schema.url, schema: schema.schema });
    // A table where finished jobs far outnumber runnable ones, as in production.
    await store.connection.sql.unsafe(`
      INSERT INTO jobs (handler, method, params, priority, state, attempt, max_attempts, backoff, finished_at)
      SELECT 'mailer', 'send', '[]', (g % 7) - 3, 'completed', 1, 4, '{"kind":"fixed","delayMs":0}', now()
      FROM generate_series(1, 50000) g`);
    await store.connection.sql.unsafe(`
      INSERT INTO jobs (handler, method, params, priority, state, max_attempts, backoff, run_at)
      SELECT 'mailer', 'send', '[]', (g % 7) - 3, CASE WHEN g % 10 = 0 THEN 'scheduled' ELSE 'queued' END, 4,
             '{"kind":"fixed","delayMs":0}', now() + CASE WHEN g % 10 = 0 THEN interval '1 hour' ELSE interval '0' END
      FROM generate_series(1, 2000) g`);
    await store.connection.sql.unsafe('ANALYZE jobs');
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  const plan = (statement: string, params: unknown[]) => planOf(store, statement, params);

  it('reads the partial claim index in order: no sort, no sequential scan of jobs', async () => {
    const nodes = await plan(CLAIM_CANDIDATES_SQL, [10]);
    const types = nodes.map((n) => n['Node Type']);
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Incremental Sort');
    expect(
      nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'jobs'),
    ).toEqual([]);
    expect(nodes.some((n) => n['Index Name'] === 'jobs_claim_idx')).toBe(true);
  });

  it('claims in priority order from that plan', async () => {
    const claimed = await store.jobClaim({ workerId: 'w', queues: null, limit: 5, leaseMs: 1000 });
    expect(claimed.map((j) => j.priority)).toEqual([3, 3, 3, 3, 3]);
  });
});

describe('the claim right after a bulk insert, before any ANALYZE', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('claim_fresh');
    store = createPgStore({ url: schema.url, schema: schema.schema });
    const backoff = { kind: 'fixed', delayMs: 0 } as const;
    for (let i = 0; i < 20_000; i += 5_000) {
      await store.jobInsert({
        jobs: Array.from({ length: 5_000 }, (_, k) => newJob({ priority: k % 3, backoff })),
      });
    }
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('plans without sorting, so stale statistics cannot make every claim sort the table', async () => {
    const [fn] = await store.connection.sql<{ config: string[] | null }[]>`
      SELECT proconfig AS config FROM pg_proc
       WHERE proname = 'jobs_claim_candidates' AND pronamespace = ${schema.schema}::regnamespace`;
    expect(fn?.config).toContain('enable_sort=off');
    const nodes = await planOf(store, CLAIM_CANDIDATES_SQL, [16]);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(nodes.some((n) => n['Index Name'] === 'jobs_claim_idx')).toBe(true);
    const claimed = await store.jobClaim({ workerId: 'w', queues: null, limit: 4, leaseMs: 1000 });
    expect(claimed.map((j) => j.priority)).toEqual([2, 2, 2, 2]);
    const some = await store.jobClaim({
      workerId: 'w',
      queues: ['default'],
      limit: 2,
      leaseMs: 1000,
    });
    expect(some).toHaveLength(2);
  });
});
