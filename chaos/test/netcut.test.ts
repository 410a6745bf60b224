import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueWork, type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { type CuttingProxy, startCuttingProxy } from '../src/proxy.js';
import { figure, scaled } from '../src/scale.js';

const JOBS = scaled(20_000, 4_000);

describe('network cut: a proxy drops every database connection, mid-query, again and again', () => {
  const processes = new Processes();
  let db: ScenarioDb;
  let proxy: CuttingProxy;

  beforeAll(async () => {
    db = await scenarioDb('netcut');
    const target = new URL(db.url);
    proxy = await startCuttingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterAll(async () => {
    processes.killAll();
    await proxy.close();
    await db.close();
  });

  it('loses no job, records each completion once, and the API answers only 2xx or 503', async () => {
    const through = new URL(db.url);
    through.port = String(proxy.port);
    through.hostname = '127.0.0.1';
    const url = through.toString();
    const api = await processes.api({ url, schema: db.schema });
    const workers = await Promise.all(
      [1, 2].map(() =>
        processes.worker({
          url,
          schema: db.schema,
          executions: db.executionsDir,
          args: ['--concurrency', '16'],
        }),
      ),
    );
    await enqueueWork(db, JOBS, 2, 10);
    let cuts = 0;
    let dropped = 0;
    const statuses = new Map<number, number>();
    const deadline = Date.now() + scaled(300_000, 120_000);
    while ((await db.states()).completed < JOBS && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      dropped += proxy.cutAll();
      cuts += 1;
      const response = await fetch(`${api.url}/api/jobs?limit=5`, {
        signal: AbortSignal.timeout(5_000),
      });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      await response.body?.cancel();
    }
    await db.drained(60_000);
    const totals = await db.totals();
    expect(totals).toEqual({ completed: JOBS, recorded: JOBS, distinctRecorded: JOBS });
    expect([...statuses.keys()].every((s) => s === 200 || s === 503)).toBe(true);
    const report = await assertExecutions(db, 'netcut');
    // work.run never throws: a repeat may follow a rescue, never a failed attempt.
    expect(report.extra.retried).toBe(0);
    // Nothing crashed on the way: every process is still the one that was started.
    for (const child of [api.child, ...workers.map((w) => w.child)]) {
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();
    }
    figure(
      'netcut',
      `${cuts} cuts dropping ${dropped} connections: ${JOBS} jobs completed exactly once; API answered ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });
});
