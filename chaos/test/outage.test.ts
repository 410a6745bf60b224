import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '@jobs/storage/embedded';
import { afterAll, describe, expect, it } from 'vitest';
import { enqueueWork, percentiles, type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { figure, scaled } from '../src/scale.js';

const OUTAGE_MS = scaled(10_000, 5_000);
const JOBS = scaled(10_000, 3_000);

describe('database outage: PostgreSQL stops mid-run and comes back', () => {
  const processes = new Processes();
  let dir = '';
  let server: EmbeddedPostgresHandle | undefined;
  let db: ScenarioDb | undefined;

  afterAll(async () => {
    processes.killAll();
    await db?.store.close();
    if (db !== undefined) await rm(db.executionsDir, { recursive: true, force: true });
    await server?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('workers and the API recover by themselves, no job is lost, and the API answers 503 meanwhile', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-chaos-outage-'));
    await chmod(dir, 0o755); // the server runs as the 'postgres' OS user when we are root
    server = await startEmbeddedPostgres({ dir: join(dir, 'db') });
    const { url, port } = server;
    const scenario = await scenarioDb('outage', url);
    db = scenario;
    const api = await processes.api({ url, schema: scenario.schema });
    await Promise.all(
      [1, 2].map(() =>
        processes.worker({
          url,
          schema: scenario.schema,
          executions: scenario.executionsDir,
          args: ['--concurrency', '16'],
        }),
      ),
    );
    await enqueueWork(scenario, JOBS, 5, 20);
    while ((await scenario.states()).completed < JOBS / 5) {
      await new Promise((r) => setTimeout(r, 100));
    }

    await server.stop();
    const downAt = Date.now();
    const statuses = new Map<string, number>();
    const latencies: number[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      const started = performance.now();
      let status: string;
      try {
        const response = await fetch(`${api.url}/api/jobs?limit=5`, {
          signal: AbortSignal.timeout(5_000),
        });
        status = String(response.status);
        await response.body?.cancel();
      } catch (error) {
        status = error instanceof Error && error.name === 'TimeoutError' ? 'hang' : 'refused';
      }
      latencies.push(performance.now() - started);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 250));
    }
    server = await startEmbeddedPostgres({ dir: join(dir, 'db'), port });
    const upAt = Date.now();
    let recoveredAfter = -1;
    while (recoveredAfter < 0 && Date.now() - upAt < 30_000) {
      const response = await fetch(`${api.url}/api/jobs?limit=5`).catch(() => null);
      if (response?.status === 200) recoveredAfter = Date.now() - upAt;
      await response?.body?.cancel();
      await new Promise((r) => setTimeout(r, 100));
    }
    await scenario.drained(120_000);

    expect([...statuses.keys()]).toEqual(['503']);
    expect(recoveredAfter).toBeGreaterThanOrEqual(0);
    const totals = await scenario.totals();
    expect(totals).toEqual({ completed: JOBS, recorded: JOBS, distinctRecorded: JOBS });
    const report = await assertExecutions(scenario, 'outage');
    // work.run never throws: a repeat may follow a rescue, never a failed attempt.
    expect(report.extra.retried).toBe(0);
    const during = percentiles(latencies);
    // A 503 comes at once, not after the request waited on a reconnect.
    expect(during.max).toBeLessThan(2_000);
    figure(
      'outage',
      `PostgreSQL down ${OUTAGE_MS / 1000} s: API answered ${JSON.stringify(Object.fromEntries(statuses))} (p99 ${during.p99.toFixed(0)} ms, max ${during.max.toFixed(0)} ms); 200 again ${recoveredAfter} ms after restart; ${JOBS} jobs completed exactly once`,
    );
  });
});
