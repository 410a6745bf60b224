import { createClient, type EnqueueSpecFor, type Job } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScenarioDb, scenarioDb, since } from '../src/fixture.js';
import { handlers } from '../src/handlers.js';
import { assertExecutions } from '../src/invariant.js';
import { Processes } from '../src/processes.js';
import { figure, scaled } from '../src/scale.js';

const NORMAL = scaled(2_000, 400);
const EACH_POISON = scaled(10, 3);
const HUGE_MIB = 8;
const DRAIN_MS = scaled(60_000, 30_000);

/** What each poison method must end as: a final state, and a check on the job. */
const POISONS = {
  nul: (job: Job) => expectStoredOrClearFailure(job),
  lone: (job: Job) => expectStoredOrClearFailure(job),
  badKeys: (job: Job) => expectStoredOrClearFailure(job),
  // Larger than MAX_RESULT_BYTES: completed with a null result, the documented size limit.
  huge: (job: Job) =>
    expect(job, `job ${job.id}`).toMatchObject({ state: 'completed', result: null }),
  cutSurrogate: (job: Job) => expectOwnError(job, 'aaaa'),
  badError: (job: Job) => expectOwnError(job, 'bad'),
  badThrown: (job: Job) => expectOwnError(job, 'the handler threw'),
} as const;

type Poison = keyof typeof POISONS;

/** One job for the scenario's client. */
type Spec = EnqueueSpecFor<NonNullable<(typeof handlers)['~types']>>;

/** A poison job that is tried once. */
function poisonSpec(method: Poison): Spec {
  const options = { retries: 0 };
  return method === 'huge'
    ? { handler: 'outcome', method, params: [HUGE_MIB], options }
    : { handler: 'outcome', method, params: [], options };
}

/** Completed with a result, or failed with an error that says what went wrong. */
function expectStoredOrClearFailure(job: Job): void {
  if (job.state === 'completed') {
    expect(job.result, `job ${job.id}`).not.toBeNull();
    return;
  }
  expect(job.state, `job ${job.id}`).toBe('failed');
  expectClearError(job);
}

/** Failed with the handler's own error (cleaned), not a storage error about some field. */
function expectOwnError(job: Job, startsWith: string): void {
  expect(job.state, `job ${job.id}`).toBe('failed');
  expectClearError(job);
  expect(
    job.errors[0]?.message.startsWith(startsWith),
    `job ${job.id}: ${job.errors[0]?.message.slice(0, 80)}`,
  ).toBe(true);
}

function expectClearError(job: Job): void {
  const error = job.errors[0];
  expect(error?.message.length, `job ${job.id}`).toBeGreaterThan(0);
  expect(error?.name.length, `job ${job.id}`).toBeGreaterThan(0);
  expect(error?.message, `job ${job.id}`).not.toMatch(/must be a positive whole number/);
}

describe('poison outcomes under load (issue 13, finding 1)', () => {
  const processes = new Processes();
  let db: ScenarioDb;

  beforeAll(async () => {
    db = await scenarioDb('outcomes');
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  it('records every normal job and every unstorable result or error, and leaves nothing running', async () => {
    const workers = await Promise.all(
      [1, 2].map(() =>
        processes.worker({
          url: db.url,
          schema: db.schema,
          executions: db.executionsDir,
          args: ['--concurrency', '8', '--prefetch', '8', '--poll-interval-ms', '200'],
        }),
      ),
    );
    const client = createClient(db.store, handlers);
    const poisonSpecs = (Object.keys(POISONS) as Poison[]).flatMap((method) =>
      Array.from({ length: EACH_POISON }, () => poisonSpec(method)),
    );
    // Poison spread evenly through the normal jobs, so it shares every outcome batch with them.
    const every = Math.floor(NORMAL / poisonSpecs.length);
    const specs: Spec[] = [];
    for (let i = 0; i < NORMAL; i += 1) {
      specs.push({ handler: 'work', method: 'run', params: [1 + (i % 5)] });
      const poison = i % every === 0 ? poisonSpecs[i / every] : undefined;
      if (poison !== undefined) specs.push(poison);
    }
    const started = Date.now();
    const enqueued = await client.enqueueMany(specs);
    try {
      await db.drained(DRAIN_MS);
    } catch (error) {
      figure('outcomes', `not drained after ${DRAIN_MS} ms: ${JSON.stringify(await db.states())}`);
      const logged = new Set(workers.flatMap((w) => w.lines.filter((l) => l.includes('"error"'))));
      for (const line of [...logged].slice(0, 3))
        figure('outcomes', `worker said: ${line.slice(0, 400)}`);
      throw error;
    }
    const drainedMs = since(started);

    const jobs = (await Promise.all(enqueued.map((j) => db.store.jobGet({ id: j.id })))).filter(
      (j): j is Job => j !== null,
    );
    expect(jobs).toHaveLength(enqueued.length);
    const byOutcome = new Map<string, number>();
    for (const job of jobs) {
      if (job.handler === 'work') {
        expect(`${job.id}:${job.state}:${job.attempt}`).toBe(`${job.id}:completed:1`);
        continue;
      }
      POISONS[job.method as Poison](job);
      const key = `${job.method}:${job.state}`;
      byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1);
    }
    // Each job ran once; each completion was recorded once.
    const report = await assertExecutions(db, 'outcomes');
    expect(report.executions).toBe(enqueued.length);
    for (const worker of workers) expect(worker.child.exitCode).toBeNull();
    figure(
      'outcomes',
      `${NORMAL} normal jobs and ${poisonSpecs.length} poison outcomes (NUL, lone surrogates, bad keys, ${HUGE_MIB} MiB results, a surrogate pair cut by the error limit, NUL in error message/name/stack) drained in ${drainedMs} ms: every normal job completed once; poison ${JSON.stringify(Object.fromEntries(byOutcome))}`,
    );
  });
});
