import type { ChildProcess } from 'node:child_process';
import { createClient } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { handlers } from '../src/handlers.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { figure, scaled } from '../src/scale.js';

const DURATION_MS = scaled(60_000, 15_000);

describe('worker crashes: kill -9 random workers every second while 3 others run', () => {
  const processes = new Processes();
  let db: ScenarioDb;

  beforeAll(async () => {
    db = await scenarioDb('crashes');
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  it('loses no job, records each completion once, and repeats only work that was on a killed worker', async () => {
    const args = [
      '--concurrency',
      '8',
      '--lease-ms',
      '2000',
      '--rescue-interval-ms',
      '500',
      '--poll-interval-ms',
      '200',
    ];
    const start = () =>
      processes.worker({ url: db.url, schema: db.schema, executions: db.executionsDir, args });
    // Three that stay; two that are killed and replaced, one a second.
    await Promise.all([start(), start(), start()]);
    let victims: ChildProcess[] = (await Promise.all([start(), start()])).map((w) => w.child);
    const killed = new Set<number>();
    const client = createClient(db.store, handlers);
    const fast = { kind: 'fixed', delayMs: 100 } as const;
    let enqueued = 0;
    const until = Date.now() + DURATION_MS;
    while (Date.now() < until) {
      const batch = await client.enqueueMany(
        Array.from(
          { length: 1_000 },
          (_, i) =>
            ({
              handler: 'work',
              method: 'run',
              params: [10 + (i % 40)],
              options: { retries: 20, backoff: fast },
            }) as const,
        ),
      );
      enqueued += batch.length;
      await new Promise((r) => setTimeout(r, 500 + Math.random() * 500));
      const victim = victims[Math.floor(Math.random() * victims.length)];
      if (victim?.pid !== undefined) {
        victim.kill('SIGKILL');
        killed.add(victim.pid);
        victims = [...victims.filter((v) => v !== victim), (await start()).child];
      }
    }
    await db.drained(120_000);

    const totals = await db.totals();
    expect(totals).toEqual({ completed: enqueued, recorded: enqueued, distinctRecorded: enqueued });
    const report = await assertExecutions(db, 'crashes', { interrupted: killed });
    // Only kills repeat work here: no run on a live worker was rescued or failed.
    expect(report.extra).toMatchObject({ rescued: 0, retried: 0 });
    figure(
      'crashes',
      `${(DURATION_MS / 1000).toFixed(0)} s, ${killed.size} workers killed with SIGKILL, ${enqueued} jobs: all executed and completed, each completion recorded once; ${report.extra.interrupted} executions repeated a run on a killed worker`,
    );
  });
});
