import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCompletionAudit } from '@jobs/storage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, spawnWorker } from '../src/testing/index.js';
import { newJob, sleep, usePg } from './helpers.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/crash-handlers.mjs', import.meta.url));
const JOBS = 5_000;

describe('kill -9 of worker processes while they run', () => {
  const pg = usePg('crash');
  const children: ChildProcess[] = [];
  let cwd = '';

  afterAll(async () => {
    killAll(children);
    if (cwd !== '') await rm(cwd, { recursive: true, force: true });
  });

  it('loses no job and records each completion exactly once; only killed work repeats', async () => {
    const sql = pg.other.connection.sql;
    await sql`CREATE TABLE executions (job_id bigint NOT NULL, attempt int NOT NULL, pid int NOT NULL)`;
    // Every transition into `completed` is written down, so a second recording would show.
    const audit = await installCompletionAudit(sql);
    const fast = { kind: 'fixed', delayMs: 50 } as const;
    for (let i = 0; i < JOBS; i += 1_000) {
      await pg.other.jobInsert({
        jobs: Array.from({ length: 1_000 }, (_, k) =>
          newJob({
            handler: 'crash',
            method: 'work',
            params: [10 + ((i + k) % 40)],
            maxAttempts: 25,
            backoff: fast,
          }),
        ),
      });
    }

    cwd = await mkdtemp(join(tmpdir(), 'jobs-crash-'));
    const start = async () => {
      const worker = await spawnWorker({
        url: pg.schema.url,
        schema: pg.schema.schema,
        handlers: HANDLERS,
        cwd,
        args: [
          '--concurrency',
          '8',
          '--lease-ms',
          '1500',
          '--rescue-interval-ms',
          '300',
          '--poll-interval-ms',
          '200',
        ],
        env: { JOBS_LOG_LEVEL: 'error' },
      });
      children.push(worker.child);
      return worker.child;
    };
    let live: ChildProcess[] = await Promise.all([start(), start(), start(), start()]);
    const killed = new Set<number>();
    const deadline = Date.now() + 120_000;
    const remaining = async () => {
      const [row] = await sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM jobs WHERE state <> 'completed'`;
      return row?.n ?? -1;
    };
    let left = await remaining();
    while (left > 0 && Date.now() < deadline) {
      await sleep(700 + Math.random() * 600);
      if (killed.size < 12 && left > JOBS / 10) {
        const victim = live[Math.floor(Math.random() * live.length)];
        if (victim?.pid !== undefined) {
          victim.kill('SIGKILL');
          killed.add(victim.pid);
          live = [...live.filter((c) => c !== victim), await start()];
        }
      }
      left = await remaining();
    }

    const totals = await audit.totals();
    // Jobs run more than once, and whether every run but the last was on a killed worker.
    const repeats = await sql<{ job_id: string; pids: number[] }[]>`
      SELECT job_id::text, array_agg(pid ORDER BY attempt) AS pids
        FROM executions GROUP BY job_id HAVING count(*) > 1`;
    const unexplained = repeats.filter((r) => r.pids.slice(0, -1).some((pid) => !killed.has(pid)));
    console.log(
      `crash test: ${JOBS} jobs, ${killed.size} workers killed, ${repeats.length} jobs executed more than once (all on killed workers: ${unexplained.length === 0})`,
    );
    expect(killed.size).toBeGreaterThanOrEqual(3);
    expect(totals).toEqual({ completed: JOBS, recorded: JOBS, distinctRecorded: JOBS });
    expect(unexplained).toEqual([]);
  }, 180_000);
});
