import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { figure } from '../src/scale.js';

/** Handler/method pairs that must never run anything, whatever reaches the table. */
const HOSTILE: readonly [string, string][] = [
  ['work', 'constructor'],
  ['work', '__proto__'],
  ['work', 'prototype'],
  ['work', 'toString'],
  ['work', 'valueOf'],
  ['work', 'hasOwnProperty'],
  ['work', '__defineGetter__'],
  ['work', 'bind'],
  ['work', 'call'],
  ['work', 'apply'],
  ['work', 'then'],
  ['__proto__', 'run'],
  ['constructor', 'run'],
  ['prototype', 'run'],
  ['Object', 'keys'],
  ['process', 'exit'],
  ['globalThis', 'eval'],
  ['require', 'child_process'],
  ['work.run', 'run'],
  ['work', 'run; DROP TABLE jobs'],
  ['work', ''],
  ['', 'run'],
  ['isolated', 'toString'],
];

describe('the allow-list holds against every way in', () => {
  const processes = new Processes();
  let db: ScenarioDb;
  let api = '';

  beforeAll(async () => {
    db = await scenarioDb('allowlist');
    api = (await processes.api({ url: db.url, schema: db.schema })).url;
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  it('refuses hostile names at the API, and fails rows written straight into the table without running anything', async () => {
    for (const [handler, method] of HOSTILE) {
      const response = await fetch(`${api}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handler, method, params: [] }),
      });
      expect(response.status, `${handler}.${method}`).toBe(400);
    }
    expect((await db.store.jobList({ limit: 10 })).jobs).toEqual([]);

    const sql = db.store.connection.sql;
    // Driver-level JSON values are bypassed on purpose: these rows go in as plain SQL text.
    const insertRaw = async (
      handler: string,
      method: string,
      params: string,
      maxAttempts: number,
    ) => {
      const [row] = await sql.unsafe<{ id: string }[]>(
        `INSERT INTO jobs (handler, method, params, state, max_attempts, backoff)
         VALUES ($1, $2, $3::jsonb, 'queued', $4, '{"kind":"fixed","delayMs":0}')
         RETURNING id::text AS id`,
        [handler, method, params, maxAttempts],
      );
      if (row === undefined) throw new Error('insert returned nothing');
      return row;
    };
    const inserted = [];
    for (const [handler, method] of HOSTILE)
      inserted.push(await insertRaw(handler, method, '[]', 3));
    // A prototype-pollution attempt through params, to a real method, written straight in.
    const pollute = await insertRaw('probe', 'pollution', '[{"__proto__": {"polluted": true}}]', 1);
    await processes.worker({
      url: db.url,
      schema: db.schema,
      executions: db.executionsDir,
      args: ['--concurrency', '4'],
    });
    await db.drained(30_000);

    const jobs = await Promise.all(inserted.map(({ id }) => db.store.jobGet({ id })));
    const outcomes = jobs.map((j) => `${j?.state}:${j?.attempt}:${j?.errors[0]?.name}`);
    expect(new Set(outcomes)).toEqual(new Set(['failed:1:UnknownHandlerError']));
    const probe = await db.store.jobGet({ id: pollute.id });
    expect(probe).toMatchObject({ state: 'completed', result: { polluted: false, attempt: 1 } });
    // No hostile row ran anything; the probe ran once.
    await assertExecutions(db, 'allowlist', { mustNotRun: new Set(inserted.map((r) => r.id)) });
    figure(
      'allowlist',
      `${HOSTILE.length} hostile names refused by the API (400) and failed by the worker from raw rows; prototype pollution through params: none`,
    );
  });
});
