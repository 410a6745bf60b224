import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NewDependency, NewJob } from '@jobs/core';
import { installCompletionAudit } from '@jobs/storage/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, spawnWorker } from '../src/testing/index.js';
import { newJob, sleep, usePg } from './helpers.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/flow-handlers.mjs', import.meta.url));
const fast = { kind: 'fixed', delayMs: 50 } as const;

const step = (name: string, dieOnFirst = false, ms = 0): NewJob =>
  newJob({
    handler: 'flow',
    method: 'step',
    params: [name, dieOnFirst, ms],
    maxAttempts: 10,
    backoff: fast,
  });
const sink = (name: string): NewJob =>
  newJob({ handler: 'flow', method: 'sink', params: [name], maxAttempts: 10, backoff: fast });

describe('flows across worker processes killed with SIGKILL', () => {
  const pg = usePg('flow_crash');
  const children: ChildProcess[] = [];
  let cwd = '';

  afterEach(() => killAll(children));
  afterAll(async () => {
    killAll(children);
    if (cwd !== '') await rm(cwd, { recursive: true, force: true });
  });

  async function start(): Promise<ChildProcess> {
    if (cwd === '') cwd = await mkdtemp(join(tmpdir(), 'jobs-flow-crash-'));
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
  }

  async function setUp() {
    const sql = pg.other.connection.sql;
    await sql`DROP TABLE IF EXISTS effects`;
    await sql`DROP TABLE IF EXISTS completions`;
    await sql`CREATE TABLE effects (job_id bigint NOT NULL, name text NOT NULL, attempt int NOT NULL,
                                    pid int NOT NULL, at timestamptz NOT NULL, parents jsonb)`;
    return { sql, audit: await installCompletionAudit(sql) };
  }

  async function insertFlow(jobs: NewJob[], dependencies: NewDependency[]): Promise<string[]> {
    const flowInsert = pg.other.flowInsert;
    if (flowInsert === undefined) throw new Error('the store holds no flows');
    const inserted = await flowInsert({ jobs, keys: jobs.map(() => null), dependencies });
    return inserted.map((j) => j.id);
  }

  it('the worker that ran the last dependency dies before recording it: rescue reruns it and the dependent runs once, after it', async () => {
    const { sql, audit } = await setUp();
    // a → (b, c) → d; c's first attempt kills its worker after doing its work.
    const [a, b, c, d] = await insertFlow(
      [step('a'), step('b'), step('c', true, 200), sink('d')],
      [
        { job: 1, on: { index: 0 }, policy: 'cancel' },
        { job: 2, on: { index: 0 }, policy: 'cancel' },
        { job: 3, on: { index: 1 }, policy: 'cancel' },
        { job: 3, on: { index: 2 }, policy: 'cancel' },
      ],
    );
    const workers = [await start(), await start()];
    const deadline = Date.now() + 60_000;
    let state = '';
    while (Date.now() < deadline) {
      const [row] = await sql<{ state: string }[]>`SELECT state FROM jobs WHERE id = ${d ?? '0'}`;
      state = row?.state ?? '';
      if (state === 'completed') break;
      if (workers.every((w) => w.exitCode !== null || w.signalCode !== null))
        workers.push(await start());
      await sleep(100);
    }
    expect(state).toBe('completed');
    const runs = await sql<{ name: string; attempt: number; pid: number; parents: unknown }[]>`
      SELECT name, attempt, pid, parents FROM effects ORDER BY at`;
    const named = (n: string) => runs.filter((r) => r.name === n);
    expect(named('a')).toHaveLength(1);
    expect(named('b')).toHaveLength(1);
    // c ran twice: its first worker died (SIGKILL) before recording the completion.
    expect(named('c').map((r) => r.attempt)).toEqual([1, 2]);
    const killed = workers.filter((w) => w.signalCode === 'SIGKILL').map((w) => w.pid);
    expect(killed).toContain(named('c')[0]?.pid);
    // d ran exactly once, with both results, and after c's completion (database clock).
    expect(named('d')).toHaveLength(1);
    expect(named('d')[0]?.parents).toEqual([{ name: 'b' }, { name: 'c' }]);
    const [order] = await sql<{ after: boolean }[]>`
      SELECT (SELECT at FROM effects WHERE name = 'd')
           > (SELECT finished_at FROM jobs WHERE id = ${c ?? '0'}) AS after`;
    expect(order?.after).toBe(true);
    expect(await audit.totals()).toEqual({ completed: 4, recorded: 4, distinctRecorded: 4 });
    expect([a, b].length).toBe(2);
  }, 90_000);

  it('fan-in flows finish with each sink run after all its children (again only if a kill took its worker), while workers are killed at random', async () => {
    const { sql, audit } = await setUp();
    const FLOWS = 4;
    const CHILDREN = 150;
    const sinks: string[] = [];
    for (let f = 0; f < FLOWS; f++) {
      const jobs = [
        step(`root${f}`),
        ...Array.from({ length: CHILDREN }, (_, i) => step(`f${f}c${i}`, false, 20 + (i % 30))),
        sink(`sink${f}`),
      ];
      const dependencies: NewDependency[] = [];
      for (let i = 1; i <= CHILDREN; i++) {
        dependencies.push({ job: i, on: { index: 0 }, policy: 'cancel' });
        dependencies.push({ job: CHILDREN + 1, on: { index: i }, policy: 'cancel' });
      }
      const ids = await insertFlow(jobs, dependencies);
      sinks.push(ids.at(-1) ?? '');
    }
    const total = FLOWS * (CHILDREN + 2);
    let live: ChildProcess[] = await Promise.all([start(), start(), start()]);
    const killed = new Set<number>();
    const deadline = Date.now() + 120_000;
    const remaining = async () =>
      (
        await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM jobs WHERE state <> 'completed'`
      )[0]?.n ?? -1;
    let left = await remaining();
    // A worker is killed as the flows pass each of these counts of jobs left (polled at random
    // moments): killed at random points of the run however fast it goes.
    const killAt = [0.8, 0.55, 0.3].map((share) => Math.floor(total * share));
    while (left > 0 && Date.now() < deadline) {
      await sleep(50 + Math.random() * 100);
      const due = killAt[0];
      if (due !== undefined && left <= due && left > 20) {
        killAt.shift();
        const victim = live[Math.floor(Math.random() * live.length)];
        if (victim?.pid !== undefined) {
          victim.kill('SIGKILL');
          killed.add(victim.pid);
          live = [...live.filter((w) => w !== victim), await start()];
        }
      }
      left = await remaining();
    }
    expect(left).toBe(0);
    expect(killed.size).toBeGreaterThanOrEqual(2);
    expect(await audit.totals()).toEqual({
      completed: total,
      recorded: total,
      distinctRecorded: total,
    });
    for (const [f, id] of sinks.entries()) {
      const runs = await sql<{ pids: number[]; parents: number; after: boolean }[]>`
        SELECT array_agg(e.pid ORDER BY e.at) AS pids,
               min(jsonb_array_length(parents))::int AS parents,
               bool_and(e.at > (SELECT max(j.finished_at) FROM jobs j JOIN job_dependencies d
                                  ON d.depends_on = j.id WHERE d.job_id = ${id})) AS after
          FROM effects e WHERE e.name = ${`sink${f}`}`;
      const [run] = runs;
      // Every run of the sink saw all its children's results, after all of them had finished.
      expect({ parents: run?.parents, after: run?.after }, `sink${f}`).toEqual({
        parents: CHILDREN,
        after: true,
      });
      // It ran once, or again only because a kill took its worker while it ran (before its
      // completion was written), as for any job; its completion was recorded once (the audit).
      expect(run?.pids.length, `sink${f}`).toBeGreaterThanOrEqual(1);
      expect(
        run?.pids.slice(0, -1).filter((pid) => !killed.has(pid)),
        `sink${f}: a run whose worker was not killed, then another`,
      ).toEqual([]);
    }
    // Every child ran; a child ran twice only when its first worker was killed.
    const repeats = await sql<{ pids: number[] }[]>`
      SELECT array_agg(pid ORDER BY attempt) AS pids FROM effects GROUP BY job_id HAVING count(*) > 1`;
    expect(repeats.filter((r) => r.pids.slice(0, -1).some((pid) => !killed.has(pid)))).toEqual([]);
    const [ran] = await sql<{ n: number }[]>`SELECT count(DISTINCT job_id)::int AS n FROM effects`;
    expect(ran?.n).toBe(total);
  }, 180_000);
});
