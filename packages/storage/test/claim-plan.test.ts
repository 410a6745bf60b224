import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgArray } from '../src/pg-array.js';
import { CLAIM } from '../src/sql/claim.js';
import {
  CLAIM_CANDIDATES_FUNCTION,
  claimCandidatesFunctionSql,
} from '../src/sql/claim-candidates.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';
import { explainNested, flatten, type PlanNode } from './explain-function.js';

/**
 * The plan of the row selection inside the claim function the migrated schema holds, as the
 * claim runs it (its own settings, its own text): the statement's nodes.
 */
async function claimPlan(
  schema: TestSchema,
  limit: number,
  queues: readonly string[] | null = null,
): Promise<PlanNode[]> {
  const plans = await explainNested(
    schema,
    `SELECT * FROM ${CLAIM_CANDIDATES_FUNCTION}($1, $2::text[])`,
    [limit, queues === null ? null : pgArray(queues)],
  );
  const [selection] = plans.filter((p) => /\bFROM jobs\b/.test(p.query));
  if (selection === undefined) throw new Error('the claim function ran no statement on jobs');
  return selection.nodes;
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

  it('reads the partial claim index in order: no sort, no sequential scan of jobs', async () => {
    const nodes = await claimPlan(schema, 10);
    const types = nodes.map((n) => n['Node Type']);
    expect(types).not.toContain('Sort');
    expect(types).not.toContain('Incremental Sort');
    expect(
      nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'jobs'),
    ).toEqual([]);
    expect(nodes.some((n) => n['Index Name'] === 'jobs_claim_idx')).toBe(true);
  });

  it('reads the index for the queues asked for too', async () => {
    const nodes = await claimPlan(schema, 10, ['default']);
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(nodes.some((n) => n['Index Name'] === 'jobs_claim_idx')).toBe(true);
  });

  it('explains the function the database runs: a changed function shows in the plan', async () => {
    const sql = store.connection.sql;
    // The same selection ordered by run time first and allowed to sort: the index no longer fits.
    const sorted = claimCandidatesFunctionSql()
      .replace('ORDER BY priority DESC, run_at, id', 'ORDER BY run_at, priority DESC, id')
      .replace('SET enable_sort = off\n', '');
    await sql.unsafe(sorted);
    try {
      expect((await claimPlan(schema, 10)).map((n) => n['Node Type'])).toContain('Sort');
    } finally {
      await sql.unsafe(claimCandidatesFunctionSql());
    }
    expect((await claimPlan(schema, 10)).map((n) => n['Node Type'])).not.toContain('Sort');
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
    const nodes = await claimPlan(schema, 16);
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

describe('the claim under statistics taken while keyed jobs waited, stale since they finished', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('claim_keyed_stale');
    store = createPgStore({ url: schema.url, schema: schema.schema });
    const backoff = { kind: 'fixed', delayMs: 0 } as const;
    for (let i = 0; i < 20_000; i += 5_000) {
      await store.jobInsert({
        jobs: Array.from({ length: 5_000 }, (_, k) =>
          newJob({ concurrencyKey: `k${k % 50}`, backoff }),
        ),
      });
    }
    const sql = store.connection.sql;
    await sql.unsafe('ANALYZE jobs');
    await sql.unsafe(`UPDATE jobs SET state = 'completed', finished_at = now()`);
    await store.jobInsert({ jobs: [newJob({ backoff })] });
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  /** The claim statement's plan (custom or generic), as a prepared claim of the pool runs it. */
  async function plan(mode: 'force_custom_plan' | 'force_generic_plan'): Promise<PlanNode[]> {
    let nodes: PlanNode[] = [];
    await store.connection.sql.begin(async (tx) => {
      await tx.unsafe(`SET LOCAL plan_cache_mode = ${mode}`);
      await tx.unsafe(`PREPARE claim_plan AS ${CLAIM}`);
      const [row] = await tx.unsafe<{ 'QUERY PLAN': { Plan: PlanNode }[] }[]>(
        `EXPLAIN (FORMAT JSON) EXECUTE claim_plan(16, 'w', 1000, NULL, 16)`,
      );
      await tx.unsafe('DEALLOCATE claim_plan');
      const [explained] = row?.['QUERY PLAN'] ?? [];
      if (explained === undefined) throw new Error('EXPLAIN returned no plan');
      nodes = flatten(explained.Plan);
    });
    return nodes;
  }

  it('reads no table scan of jobs to learn that no keyed job waits', async () => {
    for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
      const nodes = await plan(mode);
      expect(
        nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'jobs'),
        mode,
      ).toEqual([]);
      expect(
        nodes.some((n) => n['Index Name'] === 'jobs_keyed_waiting_idx'),
        mode,
      ).toBe(true);
    }
    const claimed = await store.jobClaim({ workerId: 'w', queues: null, limit: 4, leaseMs: 1000 });
    expect(claimed.map((j) => j.concurrencyKey)).toEqual([null]);
  });
});
