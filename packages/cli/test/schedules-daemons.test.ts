import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPgStore, type PgJobStore } from '@jobs/storage';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEnv, JOBS_BIN, waitFor } from './helpers.js';

const CONFIG = fileURLToPath(new URL('./fixtures/schedules.config.ts', import.meta.url));

/** One `jobs worker` process (worker and scheduler) on the test schema. */
interface WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

describe('a schedule every second, three `jobs worker` processes (real PostgreSQL)', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  let sql: PgJobStore['connection']['sql'];
  let dir: string;
  const running = new Set<WorkerProcess>();

  beforeAll(async () => {
    schema = await createTestSchema('cli_schedules');
    store = createPgStore({ url: schema.url, schema: schema.schema, max: 1 });
    sql = store.connection.sql;
    dir = mkdtempSync(join(tmpdir(), 'jobs-schedules-'));
  });

  afterAll(async () => {
    for (const p of running) p.child.kill('SIGKILL');
    await store.close();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function startWorker(catchUp: string): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [JOBS_BIN, 'worker', '--config', CONFIG], {
      env: commandEnv({
        DATABASE_URL: schema.url,
        JOBS_SCHEMA: schema.schema,
        SCHEDULE_TEST_FILE: join(dir, 'ticks.log'),
        SCHEDULE_CATCH_UP: catchUp,
        BACKGROUND_JOB_LOG_DIRECTORY: join(dir, 'jobs.log'),
        BACKGROUND_JOB_ERROR_LOG_DIRECTORY: join(dir, 'errors.log'),
      }),
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const p: WorkerProcess = { child, exited, output: () => output };
    running.add(p);
    void exited.then(() => running.delete(p));
    return waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`jobs worker exited:\n${output}`);
        return /Press Ctrl-C/.test(output) && p;
      },
      60_000,
      'jobs worker to start',
    );
  }

  async function stopAll(): Promise<void> {
    const all = [...running];
    for (const p of all) p.child.kill('SIGINT');
    await Promise.all(all.map((p) => p.exited));
  }

  /** The ticks with a job, in seconds since the epoch, in order (the database as witness). */
  async function ticks(): Promise<number[]> {
    const rows = await sql.unsafe<{ s: number }[]>(
      `SELECT extract(epoch FROM schedule_tick)::bigint::int AS s FROM ${schema.schema}.jobs
        WHERE schedule_name = 'every-second' ORDER BY schedule_tick`,
    );
    return rows.map((r) => r.s);
  }

  async function dbNowSeconds(): Promise<number> {
    const [row] = await sql.unsafe<{ s: number }[]>(
      'SELECT extract(epoch FROM clock_timestamp())::float8 AS s',
    );
    return row?.s ?? 0;
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Jobs made by the first firing after a restart: tick and lateness (created_at - tick). */
  async function jobsAfter(tick: number) {
    return sql.unsafe<{ s: number; late: number }[]>(
      `SELECT extract(epoch FROM schedule_tick)::bigint::int AS s,
              extract(epoch FROM created_at - schedule_tick)::float8 AS late
         FROM ${schema.schema}.jobs
        WHERE schedule_name = 'every-second' AND schedule_tick > to_timestamp($1)
        ORDER BY schedule_tick`,
      [tick],
    );
  }

  it('enqueues exactly one job per tick with no gaps, survives SIGKILL of the process that enqueued the last tick, and catches up per catchUp', async () => {
    const workers = await Promise.all([startWorker('all'), startWorker('all'), startWorker('all')]);
    const started = await dbNowSeconds();
    await sleep(10_000);

    // SIGKILL the process that handled the last tick (recorded by the database).
    const [fired] = await sql.unsafe<{ by: string }[]>(
      `SELECT last_fired_by AS by FROM ${schema.schema}.schedules WHERE name = 'every-second'`,
    );
    const pid = Number(fired?.by.split(':')[1]);
    const victim = workers.find((w) => w.child.pid === pid);
    expect(victim, `no worker with pid ${pid} (${fired?.by})`).toBeDefined();
    victim?.child.kill('SIGKILL');
    const killedAt = await dbNowSeconds();
    await victim?.exited;
    await sleep(10_000);

    // Live phase: every second from the first tick to the last has exactly one job.
    const live = await ticks();
    expect(live.length).toBeGreaterThanOrEqual(18);
    expect(new Set(live).size).toBe(live.length);
    expect((live.at(-1) ?? 0) - (live[0] ?? 0) + 1).toBe(live.length);
    expect(live[0]).toBeLessThanOrEqual(Math.ceil(started) + 1);
    expect(live.at(-1)).toBeGreaterThan(killedAt + 8);

    // Every daemon down for 10 s, then back: each policy in turn (the config's catchUp changes,
    // the schedule's next tick stays).
    for (const catchUp of ['none', 'last', 'all'] as const) {
      await stopAll();
      const before = await ticks();
      const lastBefore = before.at(-1) ?? 0;
      await sleep(10_000);
      await Promise.all([startWorker(catchUp), startWorker(catchUp), startWorker(catchUp)]);
      const after = await waitFor(
        async () => {
          const rows = await jobsAfter(lastBefore);
          return rows.length >= 4 && rows;
        },
        20_000,
        `jobs after the restart with catchUp ${catchUp}`,
      );
      const seconds = after.map((r) => r.s);
      const first = after[0] as { s: number; late: number };
      const gap = first.s - lastBefore - 1;
      if (catchUp === 'all') {
        // Every missed tick enqueued: no gap at all.
        expect(gap).toBe(0);
        expect(seconds.length).toBeGreaterThanOrEqual(10);
      } else if (catchUp === 'last') {
        // One missed tick (the latest: between 2 and 3 s late), the rest skipped.
        expect(gap).toBeGreaterThanOrEqual(6);
        expect(first.late).toBeGreaterThan(1.95);
        expect(after.filter((r) => r.late > 2.05).length).toBeLessThanOrEqual(1);
      } else {
        // No missed tick: the first job is for a tick at most 2 s old.
        expect(gap).toBeGreaterThanOrEqual(7);
        expect(first.late).toBeLessThanOrEqual(2.0);
      }
      // After the restart, one job per second again.
      expect((seconds.at(-1) ?? 0) - first.s + 1).toBe(seconds.length);
    }
    // Let the workers run what is due up to now (the catch-up just enqueued a burst), then stop.
    const checkAt = await dbNowSeconds();
    await waitFor(
      async () => {
        const [row] = await sql.unsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM ${schema.schema}.jobs
            WHERE schedule_name = 'every-second' AND schedule_tick <= to_timestamp($1)
              AND state <> 'completed'`,
          [checkAt],
        );
        return row?.n === 0;
      },
      120_000,
      'every job due so far to complete',
    );
    await stopAll();

    // What the handlers did: every job due by then ran, one per tick (a job run twice only
    // when the SIGKILLed worker held it and it was rescued: at most its attempts); jobs made
    // after it wait, queued, for the next worker (nothing is lost by stopping).
    const all = await sql.unsafe<{ id: string; attempt: number; state: string; s: number }[]>(
      `SELECT id::text AS id, attempt, state, extract(epoch FROM schedule_tick)::float8 AS s
         FROM ${schema.schema}.jobs WHERE schedule_name = 'every-second'`,
    );
    const lines = readFileSync(join(dir, 'ticks.log'), 'utf8').trim().split('\n');
    const runs = new Map<string, number>();
    for (const line of lines) {
      const id = line.split(' ')[0] ?? '';
      runs.set(id, (runs.get(id) ?? 0) + 1);
    }
    const due = all.filter((j) => j.s <= checkAt);
    // At least what the phases above made sure of: 18 live ticks, a job after each of the
    // restarts with none and last, and 10 caught up with all (about 40 on a usual run; a fast
    // machine makes fewer ticks in each wait for the first job after a restart).
    expect(due.length).toBeGreaterThanOrEqual(18 + 1 + 1 + 10);
    for (const job of due) {
      expect(job.state, `job ${job.id}`).toBe('completed');
      expect(runs.get(job.id), `job ${job.id} ran`).toBeGreaterThanOrEqual(1);
    }
    for (const job of all) {
      expect(['completed', 'queued'], `job ${job.id}`).toContain(job.state);
      expect(runs.get(job.id) ?? 0, `job ${job.id} ran more than its attempts`).toBeLessThanOrEqual(
        Math.max(1, job.attempt),
      );
    }
    // The handler ran nothing but these jobs.
    expect([...runs.keys()].every((id) => all.some((j) => j.id === id))).toBe(true);
  }, 240_000);
});
