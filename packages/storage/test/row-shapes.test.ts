import { DEFAULT_RETRY_POLICY, ERRORS_KEPT_FIRST, ERRORS_KEPT_LAST } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

const COLUMNS = `(handler, method, params, state, attempt, max_attempts, backoff, errors, logs, tags,
  finished_at, lease_owner, lease_expires_at, result)`;
const FIXED = `'{"kind":"fixed","delayMs":0}'`;

/** Rows a user's database may hold from before migration 0008, written by hand. */
const OLD_ROWS = [
  // 1: waiting, params an object: could never run.
  `INSERT INTO jobs ${COLUMNS} VALUES ('h', 'queued-object', '{"to":"a"}', 'queued', 0, 3, ${FIXED},
    '[]', '[]', '{}', NULL, NULL, NULL, NULL)`,
  // 2: finished, params a string.
  `INSERT INTO jobs ${COLUMNS} VALUES ('h', 'completed-string', '"text"', 'completed', 1, 3, ${FIXED},
    '[]', '[]', '{}', now(), NULL, NULL, '42')`,
  // 3: running, params a number.
  `INSERT INTO jobs ${COLUMNS} VALUES ('h', 'running-number', '7', 'running', 1, 3, ${FIXED},
    '[]', '[]', '{}', NULL, 'w', now() + interval '1 hour', NULL)`,
  // 4: waiting, every other JSON column unreadable.
  `INSERT INTO jobs ${COLUMNS} VALUES ('h', 'queued-odd-columns', '[1]', 'queued', 0, 3, '[]',
    '{"x":1}', '"x"', '{a,NULL}', NULL, NULL, NULL, NULL)`,
  // 5: failed, errors an array of odd entries.
  `INSERT INTO jobs ${COLUMNS} VALUES ('h', 'failed-odd-errors', '[]', 'failed', 1, 1, ${FIXED},
    '[1, {"message": 5}]', '[{"line": 3}]', '{}', now(), NULL, NULL, NULL)`,
  // 6: running, 30 errors already (from before errors were bounded).
  `INSERT INTO jobs ${COLUMNS} VALUES ('h', 'running-30-errors', '[]', 'running', 31, 40, ${FIXED},
    (SELECT jsonb_agg(jsonb_build_object('attempt', n, 'message', 'e' || n, 'name', 'Error', 'at', 'x'))
       FROM generate_series(1, 30) n),
    '[]', '{}', NULL, 'w', now() + interval '1 hour', NULL)`,
];

describe('rows from before the row checks (migration 0008)', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  let admin: postgres.Sql;
  const byMethod = async (method: string) => {
    const page = await store.jobList({ limit: 50, method, handler: 'h' });
    const [job] = page.jobs;
    if (job === undefined) throw new Error(`no job ${method}`);
    return job;
  };

  beforeAll(async () => {
    schema = await createTestSchema('row_shapes', 'default', {
      oldRows: { before: '0008_row_shape_checks', statements: OLD_ROWS },
    });
    store = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
    admin = postgres(schema.url, {
      max: 1,
      onnotice: () => {},
      connection: { search_path: schema.schema },
    });
  });
  afterAll(async () => {
    await admin.end({ timeout: 5 });
    await store.close();
    await schema.drop();
  });

  it('upgrades without failing and adds the checks NOT VALID', async () => {
    const checks = await admin<{ conname: string; convalidated: boolean }[]>`
      SELECT conname, convalidated FROM pg_constraint
       WHERE conrelid = 'jobs'::regclass AND contype = 'c' AND conname NOT IN ('jobs_state_check', 'jobs_attempt_check')
       ORDER BY conname`;
    expect(checks).toEqual(
      [
        'jobs_backoff_check',
        'jobs_errors_check',
        'jobs_errors_dropped_check',
        'jobs_logs_check',
        'jobs_params_check',
        'jobs_tags_check',
      ].map((conname) => ({ conname, convalidated: false })),
    );
  });

  it('reads every old row, listed and one by one, without throwing', async () => {
    const page = await store.jobList({ limit: 50 });
    expect(page.jobs).toHaveLength(OLD_ROWS.length);
    for (const job of page.jobs) expect(await store.jobGet({ id: job.id })).toEqual(job);
    const completed = await byMethod('completed-string');
    expect(completed).toMatchObject({ state: 'completed', params: 'text', result: 42 });
    const odd = await byMethod('failed-odd-errors');
    expect(odd.errors).toEqual([
      { attempt: 0, message: '1', name: 'Error', at: '' },
      { attempt: 0, message: '5', name: 'Error', at: '' },
    ]);
    expect(odd.logs).toEqual([{ at: '', line: '3' }]);
  });

  it('fails unfinished jobs whose params are not an array, as a worker would, keeping the params', async () => {
    for (const [method, params, type] of [
      ['queued-object', { to: 'a' }, 'object'],
      ['running-number', 7, 'number'],
    ] as const) {
      const job = await byMethod(method);
      expect(job).toMatchObject({ state: 'failed', params, leaseOwner: null });
      expect(job.finishedAt).not.toBeNull();
      expect(job.errors).toEqual([
        expect.objectContaining({
          name: 'ValidationError',
          message: `params: must be an array of arguments, not ${type}`,
        }),
      ]);
    }
  });

  it('repairs the other unreadable columns, and the job still runs', async () => {
    const job = await byMethod('queued-odd-columns');
    expect(job).toMatchObject({ state: 'queued', errors: [], logs: [], tags: ['a'] });
    expect(job.backoff).toEqual(DEFAULT_RETRY_POLICY);
    const claimed = await store.jobClaim({
      workerId: 'w2',
      queues: null,
      limit: 10,
      leaseMs: 30_000,
    });
    expect(claimed.map((j) => j.id)).toEqual([job.id]);
    const at = new Date().toISOString();
    const error = { attempt: 1, message: 'boom', name: 'Error', at };
    const failed = await store.jobFail({
      workerId: 'w2',
      jobs: [{ id: job.id, attempt: 1, error, outcome: { state: 'failed' } }],
    });
    expect(failed).toEqual([job.id]);
    expect((await store.jobGet({ id: job.id }))?.errors).toEqual([error]);
  });

  it('cuts the errors of an old row to the first and last ones on its next failure', async () => {
    const job = await byMethod('running-30-errors');
    expect(job.errors).toHaveLength(30);
    const at = new Date().toISOString();
    const error = { attempt: 31, message: 'e31', name: 'Error', at };
    await store.jobFail({
      workerId: 'w',
      jobs: [{ id: job.id, attempt: 31, error, outcome: { state: 'retrying', delayMs: 0 } }],
    });
    const stored = await store.jobGet({ id: job.id });
    expect(stored?.errors.map((e) => e.message)).toEqual([
      ...['e1', 'e2', 'e3', 'e4', 'e5'].slice(0, ERRORS_KEPT_FIRST),
      ...Array.from({ length: ERRORS_KEPT_LAST }, (_, i) => `e${32 - ERRORS_KEPT_LAST + i}`),
    ]);
    expect(stored?.errorsDropped).toBe(31 - ERRORS_KEPT_FIRST - ERRORS_KEPT_LAST);
  });

  it('refuses to retry a job whose params are not an array, without an error', async () => {
    const ids = [(await byMethod('queued-object')).id, (await byMethod('completed-string')).id];
    expect(await store.jobRetry({ ids })).toEqual([]);
    expect((await store.jobGet({ id: ids[1] ?? '' }))?.state).toBe('completed');
  });
});

describe('the row checks', () => {
  let schema: TestSchema;
  let admin: postgres.Sql;
  beforeAll(async () => {
    schema = await createTestSchema('row_checks');
    admin = postgres(schema.url, {
      max: 1,
      onnotice: () => {},
      connection: { search_path: schema.schema },
    });
  });
  afterAll(async () => {
    await admin.end({ timeout: 5 });
    await schema.drop();
  });

  const insert = (column: string, value: string) =>
    admin.unsafe(
      `INSERT INTO jobs (handler, method, state, max_attempts, backoff, ${column})
       VALUES ('h', 'm', 'queued', 1, ${FIXED}, ${value})`,
    );

  it.each([
    ['params', `'{"a":1}'`, 'jobs_params_check'],
    ['params', `'"text"'`, 'jobs_params_check'],
    ['errors', `'{}'`, 'jobs_errors_check'],
    ['errors_dropped', '-1', 'jobs_errors_dropped_check'],
    ['logs', `'null'`, 'jobs_logs_check'],
    ['tags', `'{a,NULL}'`, 'jobs_tags_check'],
  ])('refuses a new row whose %s is %s', async (column, value, check) => {
    await expect(insert(column, value)).rejects.toMatchObject({
      code: '23514',
      constraint_name: check,
    });
  });

  it('refuses a backoff that is not a policy, and an update that breaks a row', async () => {
    await expect(
      admin.unsafe(`INSERT INTO jobs (handler, method, state, max_attempts, backoff)
                    VALUES ('h', 'm', 'queued', 1, '{"kind":"linear"}')`),
    ).rejects.toMatchObject({ constraint_name: 'jobs_backoff_check' });
    await insert('params', `'[1]'`);
    await expect(admin.unsafe(`UPDATE jobs SET params = '{}'`)).rejects.toMatchObject({
      constraint_name: 'jobs_params_check',
    });
  });

  it('still takes a well-formed job through the store', async () => {
    await using store = createPgStore({ url: schema.url, schema: schema.schema, max: 1 });
    const [job] = await store.jobInsert({ jobs: [newJob({ tags: ['x'] })] });
    expect(job?.params).toEqual(['a@b.c', 'Hi']);
  });
});
