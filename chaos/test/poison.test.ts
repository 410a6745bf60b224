import { createClient } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { handlers } from '../src/handlers.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { figure } from '../src/scale.js';

const FIVE_MB = 'x'.repeat(5 * 1024 * 1024);

describe('poison jobs end in a clear state while the worker keeps serving', () => {
  const processes = new Processes();
  let db: ScenarioDb;
  let api = '';

  beforeAll(async () => {
    db = await scenarioDb('poison');
    api = (await processes.api({ url: db.url, schema: db.schema })).url;
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  const post = (body: unknown) =>
    fetch(`${api}/api/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('crashing children, endless jobs, non-Error throws and 5 MB params', async () => {
    const worker = await processes.worker({
      url: db.url,
      schema: db.schema,
      executions: db.executionsDir,
      args: ['--concurrency', '4'],
    });
    const poisons = [
      { handler: 'isolated', method: 'crash', retries: 0 },
      // 3 s: time for the child to start and write its execution down on a busy machine.
      { handler: 'isolated', method: 'loop', retries: 0, timeout: 3 },
      { handler: 'poison', method: 'never', retries: 0, timeout: 1 },
      { handler: 'poison', method: 'throwString', retries: 0 },
      { handler: 'poison', method: 'throwObject', retries: 0 },
      { handler: 'poison', method: 'throwUndefined', retries: 0 },
      { handler: 'poison', method: 'permanent', retries: 5 },
    ];
    const ids: Record<string, string> = {};
    for (const p of poisons) {
      const response = await post({ ...p, params: [] });
      expect(response.status).toBe(201);
      ids[`${p.handler}.${p.method}`] = ((await response.json()) as { id: string }).id;
    }
    // 5 MB of params: the API refuses the body, the client refuses the params; both clearly.
    const tooBig = await post({ handler: 'poison', method: 'big', params: [FIVE_MB] });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: { code: expect.any(String) } });
    const client = createClient(db.store, handlers);
    await expect(client.enqueue('poison', 'big', [FIVE_MB])).rejects.toMatchObject({
      field: 'params',
    });
    // Written straight into the table, it still runs (the worker has no such limit) and ends.
    const [raw] = await db.store.connection.sql.unsafe<{ id: string }[]>(
      `INSERT INTO jobs (handler, method, params, state, max_attempts, backoff)
       VALUES ('poison', 'big', jsonb_build_array($1::text), 'queued', 1, '{"kind":"fixed","delayMs":0}')
       RETURNING id::text AS id`,
      [FIVE_MB],
    );
    // Ordinary work keeps flowing around the poison.
    const normal = await client.enqueueMany(
      Array.from({ length: 200 }, () => ({ handler: 'work', method: 'run', params: [1] }) as const),
    );
    await db.drained(60_000);

    for (const [name, id] of Object.entries(ids)) {
      const job = await db.store.jobGet({ id });
      expect(job?.state, name).toBe('failed');
      expect(job?.attempt, name).toBe(1);
      const error = job?.errors[0];
      expect(error?.message.length, name).toBeGreaterThan(0);
      expect(error?.name.length, name).toBeGreaterThan(0);
      figure(
        'poison',
        `${name}: failed after 1 attempt with ${error?.name}: ${error?.message.slice(0, 80)}`,
      );
    }
    expect(await db.store.jobGet({ id: raw!.id })).toMatchObject({
      state: 'completed',
      result: FIVE_MB.length,
    });
    const states = await Promise.all(normal.map((j) => db.store.jobGet({ id: j.id })));
    expect(states.every((j) => j?.state === 'completed')).toBe(true);
    expect(worker.child.exitCode).toBeNull();
    // Each poison job really ran (isolated ones in their child), once.
    await assertExecutions(db, 'poison');
    figure(
      'poison',
      '5 MB params: API 413, client ValidationError(params); a 5 MB row written directly completed; 200 ordinary jobs completed alongside; worker alive',
    );
  });
});
