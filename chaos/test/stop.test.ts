import { createClient } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readExecutions } from '../src/executions.js';
import { type ScenarioDb, scenarioDb, since } from '../src/fixture.js';
import { handlers } from '../src/handlers.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { figure, scaled } from '../src/scale.js';

const CONCURRENCY = scaled(4, 2);
const PREFETCH = scaled(8, 2);
// Long enough that the stop still waits on them for more than a lease once the second worker
// is up (its start takes seconds on a busy machine).
const JOB_MS = 8_000;
const LEASE_MS = 1_000;

describe('graceful stop with a full local queue (issue 13, finding 2)', () => {
  const processes = new Processes();
  let db: ScenarioDb;

  beforeAll(async () => {
    db = await scenarioDb('stop');
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  it('releases the prefetched jobs without burning their attempt; a second worker runs each once', async () => {
    const jobs = CONCURRENCY + PREFETCH;
    const client = createClient(db.store, handlers);
    const enqueued = await client.enqueueMany(
      Array.from(
        { length: jobs },
        () =>
          ({
            handler: 'work',
            method: 'run',
            params: [JOB_MS],
            options: { retries: 0 },
          }) as const,
      ),
    );
    const leases = ['--lease-ms', String(LEASE_MS), '--rescue-interval-ms', '200'];
    const first = await processes.worker({
      url: db.url,
      schema: db.schema,
      executions: db.executionsDir,
      args: [
        '--concurrency',
        String(CONCURRENCY),
        '--prefetch',
        String(PREFETCH),
        '--grace-ms',
        '20000',
        '--poll-interval-ms',
        '100',
        ...leases,
      ],
    });
    // The first worker holds every job: CONCURRENCY running, PREFETCH in its local queue.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const running = (await db.states()).running;
      const started = readExecutions(db.executionsDir).length;
      if (running === jobs && started === CONCURRENCY) break;
      if (Date.now() > deadline) {
        throw new Error(`the first worker did not fill up: ${running} running, ${started} started`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // A second worker, idle for now, which rescues expired leases every 200 ms.
    const second = await processes.worker({
      url: db.url,
      schema: db.schema,
      executions: db.executionsDir,
      args: ['--concurrency', String(jobs), '--poll-interval-ms', '100', ...leases],
    });
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    const stopMs = since(stoppedAt);
    await db.drained(30_000);

    expect(exit).toEqual({ code: 0, signal: null });
    // The stop waited on the running jobs for longer than a lease and a rescue round, so a
    // prefetched job whose lease was not renewed meanwhile would have been rescued.
    expect(stopMs).toBeGreaterThan(LEASE_MS + 1_000);
    const after = await Promise.all(enqueued.map((j) => db.store.jobGet({ id: j.id })));
    const summary = after.map(
      (j) => `${j?.id}:${j?.state}:${j?.attempt}:${j?.errors[0]?.message ?? '-'}`,
    );
    expect(summary).toEqual(enqueued.map((j) => `${j.id}:completed:1:-`));
    // Each ran once: the running ones on the first worker, the prefetched ones on the second.
    const report = await assertExecutions(db, 'stop');
    expect(report.executions).toBe(jobs);
    const pids = readExecutions(db.executionsDir).map((e) => e.pid);
    expect(pids.filter((pid) => pid === first.child.pid)).toHaveLength(CONCURRENCY);
    expect(pids.filter((pid) => pid === second.child.pid)).toHaveLength(PREFETCH);
    figure(
      'stop',
      `SIGTERM with ${CONCURRENCY} running (${JOB_MS} ms each) and ${PREFETCH} prefetched, lease ${LEASE_MS} ms, retries 0: stopped in ${stopMs} ms; the running ones completed, the prefetched ones released with their attempt unspent and run once by a second worker; none failed`,
    );
  });
});
