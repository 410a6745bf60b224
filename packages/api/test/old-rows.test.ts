import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

const COLUMNS =
  '(handler, method, params, state, attempt, max_attempts, backoff, errors, finished_at)';
const FIXED = `'{"kind":"fixed","delayMs":0}'`;

/** Rows written by hand (or by another SQL client) before the database checked their shape. */
const OLD_ROWS = [
  `INSERT INTO jobs ${COLUMNS} VALUES ('mailer', 'send', '{"to":"a@b.c"}', 'completed', 1, 3, ${FIXED}, '[]', now())`,
  `INSERT INTO jobs ${COLUMNS} VALUES ('mailer', 'send', '"just text"', 'queued', 0, 3, ${FIXED}, '[]', NULL)`,
  `INSERT INTO jobs ${COLUMNS} VALUES ('reports', 'build', '[2026]', 'failed', 1, 1, '"not a policy"', '[1, {"message": 2}]', now())`,
];

describe('rows written by hand before the row checks', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi(
      'old_rows',
      {},
      {
        oldRows: { before: '0008_row_shape_checks', statements: OLD_ROWS },
      },
    );
  });
  afterAll(async () => {
    await api.close();
  });

  it('lists them without a 500, params as stored', async () => {
    const res = await api.call('GET', '/api/jobs?sort=oldest');
    expect(res.status).toBe(200);
    const { jobs } = await res.json();
    expect(jobs.map((j: { params: unknown }) => j.params)).toEqual([
      { to: 'a@b.c' },
      'just text',
      [2026],
    ]);
    expect(jobs[0]).toMatchObject({ state: 'completed', errors: [], errorsDropped: 0 });
    // The waiting one could never run: the upgrade failed it as a worker would.
    expect(jobs[1]).toMatchObject({
      state: 'failed',
      errors: [
        expect.objectContaining({
          name: 'ValidationError',
          message: 'params: must be an array of arguments, not string',
        }),
      ],
    });
  });

  it('shows each of them without a 500', async () => {
    const { jobs } = await (await api.call('GET', '/api/jobs?sort=oldest')).json();
    for (const listed of jobs) {
      const res = await api.call('GET', `/api/jobs/${listed.id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(listed);
    }
    const odd = jobs[2];
    expect(odd.errors).toEqual([
      { attempt: 0, message: '1', name: 'Error', at: '' },
      { attempt: 0, message: '2', name: 'Error', at: '' },
    ]);
    expect(odd.backoff).toMatchObject({ kind: 'exponential' });
  });

  it('refuses to retry a job whose params are not an array, with a 409', async () => {
    const { jobs } = await (await api.call('GET', '/api/jobs?sort=oldest')).json();
    const res = await api.call('POST', `/api/jobs/${jobs[0].id}/retry`);
    expect(res.status).toBe(409);
    const bulk = await api.call('POST', '/api/jobs/actions', {
      json: { action: 'retry', ids: jobs.map((j: { id: string }) => j.id) },
    });
    expect(bulk.status).toBe(200);
    // Only the job with array params could be retried.
    expect((await api.store.jobGet({ id: jobs[2].id }))?.state).toBe('queued');
    expect((await api.store.jobGet({ id: jobs[0].id }))?.state).toBe('completed');
  });
});
