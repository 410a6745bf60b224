import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EnqueueOptions } from '@jobs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../src/testing/index.js';
import { newJob, sleep, usePg } from './helpers.js';

const ENQUEUER = fileURLToPath(new URL('./fixtures/unique-enqueuer.mjs', import.meta.url));
const PROCESSES = 8;
const REPEAT = 3;

/** What a round starts from, and how many jobs it must create. */
type Scenario =
  | 'free key'
  | 'completed holder inside the window'
  | 'completed holder after the window'
  | 'failed holder in uniqueStates'
  | 'cancelled holder not in uniqueStates'
  | 'holder completing at once, inside the window';

const SCENARIOS: readonly {
  readonly name: Scenario;
  readonly rule: Pick<EnqueueOptions, 'uniqueFor' | 'uniqueStates'>;
  readonly prior: 'completed' | 'failed' | 'cancelled' | null;
  readonly created: 0 | 1;
}[] = [
  { name: 'free key', rule: {}, prior: null, created: 1 },
  {
    name: 'completed holder inside the window',
    rule: { uniqueFor: 3600 },
    prior: 'completed',
    created: 0,
  },
  {
    name: 'completed holder after the window',
    rule: { uniqueFor: 0.05 },
    prior: 'completed',
    created: 1,
  },
  {
    name: 'failed holder in uniqueStates',
    rule: { uniqueStates: ['failed'] },
    prior: 'failed',
    created: 0,
  },
  {
    name: 'cancelled holder not in uniqueStates',
    rule: { uniqueStates: ['completed'] },
    prior: 'cancelled',
    created: 1,
  },
  // A worker completes every new job as soon as it sees it: the first enqueuer's job is
  // finished while the others still enqueue, and must still hold the key.
  {
    name: 'holder completing at once, inside the window',
    rule: { uniqueFor: 3600 },
    prior: null,
    created: 1,
  },
];

interface Answer {
  readonly round: number;
  readonly id: string;
  readonly created: boolean;
  readonly start: string;
  readonly end: string;
  readonly pid: number;
}

/** The most intervals [start, end] that share one instant (the database clock's). */
function maxOverlap(answers: readonly Answer[]): number {
  const points = answers.flatMap((a) => [
    { at: Date.parse(a.start), step: 1 },
    { at: Date.parse(a.end), step: -1 },
  ]);
  points.sort((x, y) => x.at - y.at || y.step - x.step);
  let open = 0;
  let most = 0;
  for (const p of points) {
    open += p.step;
    most = Math.max(most, open);
  }
  return most;
}

describe(`unique keys under ${PROCESSES} concurrent enqueuer processes`, () => {
  const pg = usePg('unique_race');
  const children: ChildProcess[] = [];

  afterAll(() => {
    killAll(children);
  });

  it('makes exactly the jobs the rule allows: one or none per round, every answer the same job', async () => {
    const rounds = Array.from({ length: REPEAT }, (_, r) =>
      SCENARIOS.map((s, i) => ({ ...s, key: `race-${r}-${i}` })),
    ).flat();
    const barrier = Math.floor(Math.random() * 2 ** 30);
    const gate = await pg.other.connection.sql.reserve();
    const answers = new Map<number, Answer[]>();
    const waiters = new Map<number, () => void>();
    try {
      for (const index of rounds.keys()) await gate`SELECT pg_advisory_lock(${barrier}, ${index})`;
      for (let p = 0; p < PROCESSES; p++) {
        const child = spawn(process.execPath, [ENQUEUER], {
          env: {
            ...process.env,
            DATABASE_URL: pg.schema.url,
            JOBS_SCHEMA: pg.schema.schema,
            ENQUEUER_ROUNDS: JSON.stringify(rounds.map((r) => ({ key: r.key, rule: r.rule }))),
            ENQUEUER_BARRIER: String(barrier),
            // Half through the client, half through the SQL function: both take the key's lock.
            ENQUEUER_SURFACE: p % 2 === 0 ? 'client' : 'sql',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(child);
        let buffered = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            const answer = JSON.parse(buffered.slice(0, nl)) as Answer;
            buffered = buffered.slice(nl + 1);
            const list = answers.get(answer.round) ?? [];
            list.push(answer);
            answers.set(answer.round, list);
            if (list.length === PROCESSES) waiters.get(answer.round)?.();
          }
        });
      }

      const sql = pg.other.connection.sql;
      const overlaps: number[] = [];
      for (const [index, round] of rounds.entries()) {
        // Every enqueuer waits at this round's barrier.
        for (let waiting = 0; waiting < PROCESSES; ) {
          const [row] = await sql<{ n: number }[]>`
            SELECT count(*)::int AS n FROM pg_locks
             WHERE locktype = 'advisory' AND NOT granted
               AND classid = ${barrier} AND objid = ${index} AND objsubid = 2`;
          waiting = row?.n ?? 0;
          if (waiting < PROCESSES) await sleep(20);
        }
        const prior = round.prior === null ? null : await priorJob(round.key, round.prior);
        if (round.name === 'completed holder after the window') {
          // Older than the window on the database clock.
          await sql`SELECT pg_sleep(0.1)`;
        }
        const done = new Promise<void>((resolve) => waiters.set(index, resolve));
        const worker = round.name.startsWith('holder completing') ? completeEverything(done) : null;
        await gate`SELECT pg_advisory_unlock(${barrier}, ${index})`;
        await done;
        await worker;

        const got = answers.get(index) ?? [];
        const label = `round ${index}: ${round.name}`;
        expect(got, label).toHaveLength(PROCESSES);
        expect(got.filter((a) => a.created).length, label).toBe(round.created);
        const ids = new Set(got.map((a) => a.id));
        expect(ids.size, label).toBe(1);
        if (prior !== null && round.created === 0) expect([...ids], label).toEqual([prior]);
        const [stored] = await sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM jobs WHERE unique_key = ${round.key}`;
        expect(stored?.n, label).toBe(round.created + (prior === null ? 0 : 1));
        overlaps.push(maxOverlap(got));
      }
      // The witness: on the database clock, enqueuers of a round ran at the same time.
      expect(Math.max(...overlaps)).toBeGreaterThanOrEqual(4);
      expect(overlaps.filter((n) => n >= 2).length).toBeGreaterThanOrEqual(rounds.length / 2);
      console.log(
        `unique race: enqueuers overlapping per round (max of ${PROCESSES}): ${overlaps}`,
      );
      for (const child of children) {
        if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
        expect(child.exitCode).toBe(0);
      }
    } finally {
      gate.release();
    }
  }, 240_000);

  /** A job with `key` in queue `prior`, driven to `state`; its id. */
  async function priorJob(key: string, state: 'completed' | 'failed' | 'cancelled') {
    const store = pg.other;
    const [job] = await store.jobInsert({
      jobs: [newJob({ handler: 'race', method: 'run', queue: 'prior', uniqueKey: key })],
    });
    if (job === undefined) throw new Error('no prior job');
    if (state === 'cancelled') {
      await store.jobCancel({ ids: [job.id] });
      return job.id;
    }
    const [claimed] = await store.jobClaim({
      workerId: 'prior',
      queues: ['prior'],
      limit: 1,
      leaseMs: 60_000,
    });
    expect(claimed?.id).toBe(job.id);
    const ref = { id: job.id, attempt: 1 };
    if (state === 'completed') {
      await store.jobComplete({ workerId: 'prior', jobs: [{ ...ref, result: null }] });
    } else {
      const at = new Date().toISOString();
      await store.jobFail({
        workerId: 'prior',
        jobs: [
          {
            ...ref,
            error: { attempt: 1, message: 'no', name: 'Error', at },
            outcome: { state: 'failed' },
          },
        ],
      });
    }
    return job.id;
  }

  /** Claims and completes every new job of the default queue until `until` settles. */
  async function completeEverything(until: Promise<void>): Promise<void> {
    let over = false;
    void until.then(() => {
      over = true;
    });
    const store = pg.store;
    while (!over) {
      const jobs = await store.jobClaim({
        workerId: 'eager',
        queues: ['default'],
        limit: 10,
        leaseMs: 60_000,
      });
      if (jobs.length > 0) {
        await store.jobComplete({
          workerId: 'eager',
          jobs: jobs.map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
        });
      } else await sleep(1);
    }
  }
});
