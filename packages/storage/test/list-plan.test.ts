import { JOB_STATES, type JobListParams } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listJobsQuery, STATE_GROUPS } from '../src/sql/read.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

const ROWS = 200_000;

/** A list cursor, as `listJobs` writes them. */
function encodeId(id: number): string {
  return Buffer.from(JSON.stringify({ id: String(id) }), 'utf8').toString('base64url');
}

/**
 * First pages a dashboard asks for, and the index each must read in order when the planner
 * has no better choice ('': any index; a common value is found soonest on the primary key).
 */
const FIRST_PAGES: [string, Omit<JobListParams, 'limit'>, string][] = [
  ['no filter', {}, 'jobs_pkey'],
  ['oldest first', { order: 'asc' }, 'jobs_pkey'],
  ['a common state', { states: ['completed'] }, ''],
  ['a rare state', { states: ['failed'] }, 'jobs_state_id_idx'],
  ['a rare state, oldest first', { states: ['failed'], order: 'asc' }, 'jobs_state_id_idx'],
  // Each group of states from its own index: never the primary key walked past newer jobs.
  ['a common queue', { queues: ['emails'] }, 'jobs_queue_final_id_idx'],
  ['a common queue, oldest first', { queues: ['emails'], order: 'asc' }, 'jobs_queue_final_id_idx'],
  ['two queues', { queues: ['emails', 'rare'] }, ''],
  ['a rare queue', { queues: ['rare'] }, 'jobs_queue_final_id_idx'],
  [
    'the waiting jobs of a rare queue',
    { queues: ['rare'], states: ['queued'] },
    'jobs_queue_waiting_id_idx',
  ],
  ['a queue holding only old jobs', { queues: ['old'] }, 'jobs_queue_final_id_idx'],
  ['handler and method', { handler: 'h3', method: 'm1' }, 'jobs_handler_method_final_id_idx'],
  [
    'a rare handler and method',
    { handler: 'h9', method: 'm0' },
    'jobs_handler_method_final_id_idx',
  ],
  [
    'the waiting jobs of a rare handler',
    { handler: 'h9', method: 'm0', states: ['queued', 'retrying'] },
    'jobs_handler_method_waiting_id_idx',
  ],
  ['a state in a queue', { states: ['completed'], queues: ['emails'] }, ''],
  ['a state never seen in a queue', { states: ['failed'], queues: ['emails'] }, ''],
  ['a state of a handler', { states: ['failed'], handler: 'h1', method: 'm1' }, ''],
  ['a handler alone', { handler: 'h3' }, ''],
  ['two states', { states: ['failed', 'cancelled'] }, ''],
  ['a created range', { createdFrom: new Date(Date.now() - 3_600_000) }, ''],
  ['text in params or errors', { search: 'needle' }, ''],
  ['a second page of a rare state', { states: ['failed'], cursor: 'x' }, 'jobs_state_id_idx'],
  ['a second page of a queue', { queues: ['emails'], cursor: 'x' }, 'jobs_queue_final_id_idx'],
];

describe('the list query state groups', () => {
  it('hold every state exactly once', () => {
    const grouped = STATE_GROUPS.flatMap((group) => group.states);
    expect([...grouped].sort()).toEqual([...JOB_STATES].sort());
  });
});

describe('the list query plans on a large table', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('list_plan');
    store = createPgStore({ url: schema.url, schema: schema.schema });
    // Mostly finished jobs, a few queues of unequal size, 5 handlers of 3 methods each.
    await store.connection.sql.unsafe(`
      INSERT INTO jobs (queue, handler, method, params, priority, state, attempt, max_attempts,
                        backoff, created_at, finished_at)
      SELECT CASE WHEN g % 100 = 0 THEN 'rare' WHEN g % 5 = 0 THEN 'emails' ELSE 'default' END,
             'h' || (g % 5), 'm' || (g % 3), jsonb_build_array(g), 0,
             CASE WHEN g % 50 = 1 THEN 'failed' WHEN g % 10 = 2 THEN 'queued' ELSE 'completed' END,
             1, 4, '{"kind":"fixed","delayMs":0}',
             now() - (${ROWS} - g) * interval '1 second',
             now() - (${ROWS} - g) * interval '1 second'
      FROM generate_series(1, ${ROWS}) g`);
    // A queue whose jobs are all among the oldest: walking the primary key would reach them last.
    await store.connection.sql.unsafe(`UPDATE jobs SET queue = 'old' WHERE id <= 500`);
    // A rare handler and method, spread over the table.
    await store.connection.sql.unsafe(
      `UPDATE jobs SET handler = 'h9', method = 'm0' WHERE id % 997 = 0`,
    );
    await store.connection.sql.unsafe('ANALYZE jobs');
  }, 120_000);

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  /**
   * The plan of `params`' page query; `generic`: the generic plan of it as a prepared statement
   * (planned without its parameters' values, as a statement prepared by the driver may be).
   */
  async function plan(params: JobListParams, generic = false): Promise<PlanNode[]> {
    const { sql, params: args } = listJobsQuery(store.connection, params).toSQL();
    type Explained = { 'QUERY PLAN': [{ Plan: PlanNode }] }[];
    const rows = generic
      ? await store.connection.sql.begin(async (tx) => {
          await tx.unsafe('SET LOCAL plan_cache_mode = force_generic_plan');
          await tx.unsafe(`PREPARE list_page AS ${sql}`);
          // The values as literals: EXECUTE's arguments are expressions of their own statement.
          const values = args
            .map((v) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v)))
            .join(', ');
          const explained = await tx.unsafe<Explained>(
            `EXPLAIN (FORMAT JSON) EXECUTE list_page(${values})`,
          );
          await tx.unsafe('DEALLOCATE list_page');
          return explained;
        })
      : await store.connection.sql.unsafe<Explained>(
          `EXPLAIN (FORMAT JSON) ${sql}`,
          args as never[],
        );
    const root = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (root === undefined) throw new Error('no plan');
    return flatten(root);
  }

  /** The cursor `listJobs` hands out after the job with this id. */
  async function cursorAfter(id: number): Promise<string> {
    const page = await store.jobList({ limit: 1, cursor: encodeId(id + 1) });
    if (page.jobs[0]?.id !== String(id)) throw new Error('no such job');
    return encodeId(id);
  }

  it('answers every one of those first pages quickly on this table', async () => {
    for (const [, filter] of FIRST_PAGES.filter(([, f]) => f.cursor === undefined)) {
      const started = performance.now();
      await store.jobList({ limit: 50, ...filter });
      // Generous: the point is that none of them reads the whole table (that takes seconds).
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('reads a queue or a handler from its indexes in a generic plan too', async () => {
    for (const [filter, indexes] of [
      [{ queues: ['emails'] }, ['jobs_queue_waiting_id_idx', 'jobs_queue_final_id_idx']],
      [
        { handler: 'h3', method: 'm1' },
        ['jobs_handler_method_waiting_id_idx', 'jobs_handler_method_final_id_idx'],
      ],
    ] as const) {
      const names = (await plan({ limit: 50, ...filter }, true)).map((n) => n['Index Name']);
      expect(names).toEqual(expect.arrayContaining([...indexes]));
      expect(names).not.toContain('jobs_pkey');
    }
  });

  for (const [name, filter, index] of FIRST_PAGES) {
    it(`reads ${name} from an index, without a sequential scan or a sort of the table`, async () => {
      const cursor = filter.cursor === undefined ? {} : { cursor: await cursorAfter(150_000) };
      const nodes = await plan({ limit: 50, ...filter, ...cursor });
      const scans = nodes.filter((n) => n['Relation Name'] === 'jobs');
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) {
        // An index read in order; or a bitmap of a few rows (a rare combination of filters).
        expect(scan['Node Type']).toMatch(/^(Index (Only )?Scan|Bitmap Heap Scan)$/);
        if (scan['Node Type'] === 'Bitmap Heap Scan') {
          expect(scan['Plan Rows']).toBeLessThan(ROWS / 100);
        }
      }
      // A sort is only acceptable over a small matched set (a top-N of a rare combination).
      for (const sort of nodes.filter((n) => n['Node Type'].endsWith('Sort'))) {
        expect(sort['Plan Rows']).toBeLessThan(ROWS / 100);
      }
      if (index !== '') expect(nodes.some((n) => n['Index Name'] === index)).toBe(true);
      // One queue, or a handler and method: no group walks the primary key past other jobs.
      if (
        filter.queues?.length === 1 ||
        (filter.handler !== undefined && filter.method !== undefined)
      ) {
        expect(nodes.map((n) => n['Index Name'])).not.toContain('jobs_pkey');
      }
    });
  }
});
