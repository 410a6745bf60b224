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

  async function plan(statement: string, params: unknown[]): Promise<PlanNode[]> {
    const rows = await store.connection.sql.unsafe<{ 'QUERY PLAN': [{ Plan: PlanNode }] }[]>(
      `EXPLAIN (FORMAT JSON) ${statement}`,
      params as never[],
    );
    const root = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (root === undefined) throw new Error('no plan');
    return flatten(root);
  }

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
