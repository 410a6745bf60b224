import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FINAL_STATES, JOB_STATES, type JobState, RUNNABLE_STATES } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../src/migrate.js';
import {
  UNLIMITED_WORK_FUNCTION,
  unlimitedWorkBody,
  unlimitedWorkFunctionSql,
} from '../src/sql/claim.js';
import {
  CLAIM_CANDIDATES_CONFIG,
  CLAIM_CANDIDATES_FUNCTION,
  claimCandidatesBody,
  claimCandidatesFunctionSql,
} from '../src/sql/claim-candidates.js';
import {
  CLAIM_LIMITED_FUNCTION,
  claimLimitedBody,
  claimLimitedFunctionSql,
} from '../src/sql/claim-limited.js';
import { FLOW_SETTLE_FUNCTION, flowSettleBody, flowSettleSql } from '../src/sql/flow-trigger.js';
import { UNFINISHED_STATES } from '../src/sql/state-list.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

/** The quoted names in an SQL expression as PostgreSQL prints it (`'queued'::text`). */
function quotedNames(expression: string): string[] {
  return [...expression.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1] ?? '');
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Every list of states the migrations wrote into the database is one of core's: the partial
 * indexes, the state check and the claim function. When core's states change, this fails until
 * a migration (drizzle-kit generate, plus claimCandidatesFunctionSql for the function) follows.
 */
describe('state names in the migrated schema', () => {
  let schema: TestSchema;
  let store: PgJobStore;

  beforeAll(async () => {
    schema = await createTestSchema('state_names');
    store = createPgStore({ url: schema.url, schema: schema.schema });
  });

  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('filters each partial index by core’s list of states', async () => {
    const rows = await store.connection.sql<{ name: string; predicate: string }[]>`
      SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE i.indrelid = ${`${schema.schema}.jobs`}::regclass AND i.indpred IS NOT NULL
       ORDER BY c.relname`;
    const byIndex = Object.fromEntries(rows.map((r) => [r.name, quotedNames(r.predicate)]));
    const expected: Record<string, readonly JobState[]> = {
      jobs_claim_idx: RUNNABLE_STATES,
      jobs_queue_waiting_id_idx: RUNNABLE_STATES,
      jobs_handler_method_waiting_id_idx: RUNNABLE_STATES,
      jobs_keyed_waiting_idx: RUNNABLE_STATES,
      jobs_queue_final_id_idx: FINAL_STATES,
      jobs_handler_method_final_id_idx: FINAL_STATES,
      jobs_unique_key_idx: UNFINISHED_STATES,
      jobs_lease_idx: ['running'],
      jobs_finished_at_idx: [],
      jobs_unique_key_created_idx: [],
      // Schedules' jobs (migration 0010): no state in their predicate.
      jobs_schedule_tick_idx: [],
      jobs_schedule_id_idx: [],
      jobs_prune_idx: FINAL_STATES,
    };
    expect(byIndex).toEqual(expected);
    expect(UNFINISHED_STATES).toEqual(JOB_STATES.filter((s) => !FINAL_STATES.includes(s as never)));
  });

  it('accepts exactly core’s states in the state column', async () => {
    const [check] = await store.connection.sql<{ definition: string }[]>`
      SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
       WHERE conname = 'jobs_state_check' AND conrelid = ${`${schema.schema}.jobs`}::regclass`;
    expect(quotedNames(check?.definition ?? '')).toEqual([...JOB_STATES]);
  });

  it('runs the claim function written from core’s runnable states, with its settings', async () => {
    const [fn] = await store.connection.sql<{ body: string; config: string[] | null }[]>`
      SELECT prosrc AS body, proconfig AS config FROM pg_proc
       WHERE proname = ${CLAIM_CANDIDATES_FUNCTION}
         AND pronamespace = ${schema.schema}::regnamespace`;
    expect(collapse(fn?.body ?? '')).toBe(collapse(claimCandidatesBody()));
    expect(fn?.config).toEqual([...CLAIM_CANDIDATES_CONFIG]);
    expect(claimCandidatesBody()).toContain(
      `state IN (${RUNNABLE_STATES.map((s) => `'${s}'`).join(', ')})`,
    );
  });

  it('finds the claim function’s statement, as generated, in the newest migration that writes it', async () => {
    const files = (await readdir(MIGRATIONS_FOLDER)).filter((f) => f.endsWith('.sql')).sort();
    const texts = await Promise.all(files.map((f) => readFile(join(MIGRATIONS_FOLDER, f), 'utf8')));
    const newest = texts
      .filter((t) => t.includes(`FUNCTION "${CLAIM_CANDIDATES_FUNCTION}"`))
      .at(-1);
    expect(newest).toContain(claimCandidatesFunctionSql());
  });

  it('runs the limited claim function as generated, and the newest migration writing it holds it', async () => {
    const [fn] = await store.connection.sql<{ body: string }[]>`
      SELECT prosrc AS body FROM pg_proc
       WHERE proname = ${CLAIM_LIMITED_FUNCTION}
         AND pronamespace = ${schema.schema}::regnamespace`;
    expect(collapse(fn?.body ?? '')).toBe(collapse(claimLimitedBody()));
    const files = (await readdir(MIGRATIONS_FOLDER)).filter((f) => f.endsWith('.sql')).sort();
    const texts = await Promise.all(files.map((f) => readFile(join(MIGRATIONS_FOLDER, f), 'utf8')));
    const newest = texts.filter((t) => t.includes(`FUNCTION "${CLAIM_LIMITED_FUNCTION}"`)).at(-1);
    expect(newest).toContain(claimLimitedFunctionSql());
    expect(claimLimitedBody()).toContain(
      `state IN (${RUNNABLE_STATES.map((s) => `'${s}'`).join(', ')})`,
    );
  });

  it('runs the unlimited-work look-up as generated, and the newest migration writing it holds it', async () => {
    const [fn] = await store.connection.sql<{ body: string; config: string[] | null }[]>`
      SELECT prosrc AS body, proconfig AS config FROM pg_proc
       WHERE proname = ${UNLIMITED_WORK_FUNCTION}
         AND pronamespace = ${schema.schema}::regnamespace`;
    expect(collapse(fn?.body ?? '')).toBe(collapse(unlimitedWorkBody()));
    expect(fn?.config).toEqual(['enable_seqscan=off', 'enable_bitmapscan=off']);
    const files = (await readdir(MIGRATIONS_FOLDER)).filter((f) => f.endsWith('.sql')).sort();
    const texts = await Promise.all(files.map((f) => readFile(join(MIGRATIONS_FOLDER, f), 'utf8')));
    const newest = texts.filter((t) => t.includes(`FUNCTION "${UNLIMITED_WORK_FUNCTION}"`)).at(-1);
    expect(newest).toContain(unlimitedWorkFunctionSql());
    expect(unlimitedWorkBody()).toContain(
      `state IN (${RUNNABLE_STATES.map((s) => `'${s}'`).join(', ')})`,
    );
  });

  it('runs the flow trigger written from core’s states, as the newest migration that writes it', async () => {
    const [fn] = await store.connection.sql<{ body: string }[]>`
      SELECT prosrc AS body FROM pg_proc
       WHERE proname = ${FLOW_SETTLE_FUNCTION} AND pronamespace = ${schema.schema}::regnamespace`;
    expect(collapse(fn?.body ?? '')).toBe(collapse(flowSettleBody()));
    const triggers = await store.connection.sql<{ name: string; definition: string }[]>`
      SELECT tgname AS name, pg_get_triggerdef(oid) AS definition FROM pg_trigger
       WHERE tgrelid = ${`${schema.schema}.jobs`}::regclass AND tgname LIKE 'jobs_flow_settle%'
       ORDER BY tgname`;
    expect(triggers.map((t) => t.name)).toEqual([
      'jobs_flow_settle_delete',
      'jobs_flow_settle_update',
    ]);
    const finalList = FINAL_STATES.map((s) => `'${s}'::text`).join(', ');
    for (const t of triggers) expect(t.definition).toContain(finalList);
    const files = (await readdir(MIGRATIONS_FOLDER)).filter((f) => f.endsWith('.sql')).sort();
    const texts = await Promise.all(files.map((f) => readFile(join(MIGRATIONS_FOLDER, f), 'utf8')));
    const newest = texts.filter((t) => t.includes(`FUNCTION "${FLOW_SETTLE_FUNCTION}"`)).at(-1);
    for (const statement of flowSettleSql()) expect(newest).toContain(statement);
  });
});
