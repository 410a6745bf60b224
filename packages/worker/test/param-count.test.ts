import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { getJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('params a method cannot take, in rows written by hand', () => {
  trackWorkers();
  const pg = usePg('param_count');

  it('fails the job at once without calling the handler, and runs the rows that fit', async () => {
    const calls: unknown[][] = [];
    const handlers = defineHandlers({
      'App\\Services\\SomeClass': {
        someMethod(param1: string, param2: number) {
          calls.push([param1, param2]);
          return `processed ${param1} × ${param2}`;
        },
      },
    });
    // Written straight into the table, past every client check.
    const sql = pg.other.connection.sql;
    const insert = (params: string) => sql<{ id: string }[]>`
      INSERT INTO jobs (handler, method, params, state, max_attempts, backoff)
      VALUES ('App\\Services\\SomeClass', 'someMethod', ${params}::jsonb, 'queued', 3,
              '{"kind":"fixed","delayMs":0}')
      RETURNING id::text AS id`;
    const ids: Record<string, string> = {};
    for (const params of ['[]', '["x"]', '["x", 1, 2]', '["x", 1]']) {
      const [row] = await insert(params);
      ids[params] = row?.id ?? '';
    }
    let finished = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('failed', () => finished++);
    worker.events.on('completed', () => finished++);
    await worker.start();
    await waitFor(() => finished === 4);
    await worker.stop();

    expect(calls).toEqual([['x', 1]]);
    expect(await getJob(pg.other, ids['["x", 1]'] ?? '')).toMatchObject({
      state: 'completed',
      result: 'processed x × 1',
    });
    for (const [params, got] of [
      ['[]', 0],
      ['["x"]', 1],
      ['["x", 1, 2]', 3],
    ] as const) {
      const job = await getJob(pg.other, ids[params] ?? '');
      expect(job).toMatchObject({ state: 'failed', attempt: 1 });
      expect(job.errors).toHaveLength(1);
      expect(job.errors[0]).toMatchObject({
        name: 'ValidationError',
        message: `params: someMethod takes 2 arguments (param1, param2); got ${got}`,
      });
    }
  });
});
