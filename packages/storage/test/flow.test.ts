import { createClient, defineHandlers, type Job, type JobState, ValidationError } from '@jobs/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

const handlers = defineHandlers({
  images: {
    resize(n: number): number {
      return n;
    },
    zip(): string {
      return 'zip';
    },
  },
});

describe('flows: jobs that wait for other jobs', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  let others: PgJobStore[] = [];
  const client = () => createClient(store, handlers);

  beforeAll(async () => {
    schema = await createTestSchema('flow');
    store = createPgStore({ url: schema.url, schema: schema.schema });
  });

  afterAll(async () => {
    await Promise.all([store, ...others].map((s) => s.close()));
    await schema.drop();
  });

  beforeEach(async () => {
    await store.connection.sql`DELETE FROM job_dependencies`;
    await store.connection.sql`DELETE FROM jobs`;
  });

  /** Claims every runnable job (as worker `w`) and completes (or fails) it; returns their ids. */
  async function runDue(
    on: PgJobStore = store,
    outcome: (job: Job) => 'complete' | 'fail' = () => 'complete',
    w = 'w',
  ): Promise<string[]> {
    const claimed = await on.jobClaim({ workerId: w, queues: null, limit: 2_000, leaseMs: 60_000 });
    const done = claimed.filter((j) => outcome(j) === 'complete');
    const failed = claimed.filter((j) => outcome(j) === 'fail');
    await on.jobComplete({
      workerId: w,
      jobs: done.map((j) => ({ id: j.id, attempt: j.attempt, result: { from: j.id } })),
    });
    await on.jobFail({
      workerId: w,
      jobs: failed.map((j) => ({
        id: j.id,
        attempt: j.attempt,
        error: { attempt: j.attempt, message: 'boom', name: 'Error', at: new Date().toISOString() },
        outcome: { state: 'failed' },
      })),
    });
    return claimed.map((j) => j.id);
  }

  async function stateOf(id: string): Promise<JobState | undefined> {
    return (await store.jobGet({ id }))?.state;
  }

  it('a diamond runs D once, only after B and C completed, and D reads their results', async () => {
    const { jobs } = await client().enqueueFlow({
      jobs: {
        a: { handler: 'images', method: 'resize', params: [1] },
        b: { handler: 'images', method: 'resize', params: [2], dependsOn: ['a'] },
        c: { handler: 'images', method: 'resize', params: [3], dependsOn: ['a'] },
        d: { handler: 'images', method: 'zip', params: [], dependsOn: ['b', 'c'] },
      },
    });
    expect([jobs.a.state, jobs.b.state, jobs.c.state, jobs.d.state]).toEqual([
      'queued',
      'waiting',
      'waiting',
      'waiting',
    ]);
    expect(await runDue()).toEqual([jobs.a.id]);
    expect((await runDue()).sort()).toEqual([jobs.b.id, jobs.c.id].sort());
    expect(await runDue()).toEqual([jobs.d.id]);
    expect(await runDue()).toEqual([]);
    expect(await stateOf(jobs.d.id)).toBe('completed');
    const parents = await store.dependencyList({ id: jobs.d.id });
    expect(parents).toEqual([
      {
        id: jobs.b.id,
        key: 'b',
        handler: 'images',
        method: 'resize',
        state: 'completed',
        result: { from: jobs.b.id },
      },
      {
        id: jobs.c.id,
        key: 'c',
        handler: 'images',
        method: 'resize',
        state: 'completed',
        result: { from: jobs.c.id },
      },
    ]);
    const flow = await client().flow(jobs.b.id);
    expect(flow?.nodes.map((n) => n.id)).toEqual([jobs.a.id, jobs.b.id, jobs.c.id, jobs.d.id]);
    expect(flow?.nodes.find((n) => n.id === jobs.d.id)?.dependsOn).toEqual([
      { id: jobs.b.id, policy: 'cancel' },
      { id: jobs.c.id, policy: 'cancel' },
    ]);
  });

  it('wakes listening workers when the last dependency’s completion releases a job', async () => {
    const { jobs } = await client().enqueueFlow({
      jobs: {
        a: { handler: 'images', method: 'resize', params: [1] },
        b: { handler: 'images', method: 'zip', params: [], dependsOn: ['a'] },
      },
    });
    const listener = createPgStore({ url: schema.url, schema: schema.schema, max: 1 });
    others.push(listener);
    const seen: string[] = [];
    const stop = await listener.eventListen((event) => seen.push(event.type));
    try {
      const [a] = await store.jobClaim({ workerId: 'w', queues: null, limit: 5, leaseMs: 60_000 });
      seen.length = 0;
      await store.jobComplete({
        workerId: 'w',
        jobs: [{ id: a?.id ?? '', attempt: 1, result: null }],
      });
      const deadline = Date.now() + 5_000;
      while (!seen.includes('inserted') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen).toContain('inserted');
      expect(await stateOf(jobs.b.id)).toBe('queued');
    } finally {
      await stop();
    }
  });

  it('a chain of 50 runs one job at a time, in order', async () => {
    const spec: Record<
      string,
      { handler: 'images'; method: 'resize'; params: [number]; dependsOn?: string[] }
    > = {};
    for (let i = 0; i < 50; i++) {
      spec[`s${i}`] = {
        handler: 'images',
        method: 'resize',
        params: [i],
        ...(i === 0 ? {} : { dependsOn: [`s${i - 1}`] }),
      };
    }
    const { jobs } = await client().enqueueFlowUntyped({ jobs: spec });
    const order: string[] = [];
    for (;;) {
      const ran = await runDue();
      if (ran.length === 0) break;
      expect(ran).toHaveLength(1);
      order.push(...ran);
    }
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => jobs[`s${i}`]?.id));
  });

  it('fan-out 1 → 1,000 → 1 across 4 connections finishes with every job run once', async () => {
    const spec: Record<string, unknown> = {
      root: { handler: 'images', method: 'resize', params: [0] },
    };
    const children = Array.from({ length: 1_000 }, (_, i) => `c${i}`);
    for (const key of children) {
      spec[key] = { handler: 'images', method: 'resize', params: [1], dependsOn: ['root'] };
    }
    spec.sink = { handler: 'images', method: 'zip', params: [], dependsOn: children };
    const { jobs } = await client().enqueueFlowUntyped({ jobs: spec });
    others = Array.from({ length: 4 }, () =>
      createPgStore({ url: schema.url, schema: schema.schema, max: 2 }),
    );
    const runs = new Map<string, number>();
    const sinkStartedAfter: number[] = [];
    let idle = 0;
    while (idle < 3) {
      const batches = await Promise.all(
        others.map(async (s, n) => {
          const claimed = await s.jobClaim({
            workerId: `w${n}`,
            queues: null,
            limit: 37,
            leaseMs: 60_000,
          });
          for (const j of claimed) {
            runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
            if (j.id === jobs.sink?.id) {
              const [row] = await s.connection.sql<{ n: number }[]>`
                SELECT count(*)::int AS n FROM jobs WHERE state = 'completed'`;
              sinkStartedAfter.push(row?.n ?? -1);
            }
          }
          await s.jobComplete({
            workerId: `w${n}`,
            jobs: claimed.map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
          });
          return claimed.length;
        }),
      );
      idle = batches.every((n) => n === 0) ? idle + 1 : 0;
    }
    expect(runs.size).toBe(1_002);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(sinkStartedAfter).toEqual([1_001]);
    expect(await stateOf(jobs.sink?.id ?? '')).toBe('completed');
  }, 60_000);

  it('a failed dependency cancels its dependents (saying why), and its hand retry re-arms them', async () => {
    const { jobs } = await client().enqueueFlow({
      jobs: {
        a: { handler: 'images', method: 'resize', params: [1] },
        b: { handler: 'images', method: 'resize', params: [2], dependsOn: ['a'] },
        c: { handler: 'images', method: 'zip', params: [], dependsOn: ['b'] },
      },
    });
    await runDue(store, () => 'fail');
    expect(await stateOf(jobs.a.id)).toBe('failed');
    const b = await store.jobGet({ id: jobs.b.id });
    expect(b?.state).toBe('cancelled');
    expect(b?.logs.map((l) => l.line)).toEqual([`cancelled: dependency ${jobs.a.id} failed`]);
    // Cancelled in turn: c followed b.
    expect(await stateOf(jobs.c.id)).toBe('cancelled');
    expect((await client().flow(jobs.c.id))?.nodes.map((n) => n.cancelledBy)).toEqual([
      null,
      jobs.a.id,
      jobs.b.id,
    ]);

    await client().retry(jobs.a.id);
    expect([await stateOf(jobs.b.id), await stateOf(jobs.c.id)]).toEqual(['waiting', 'waiting']);
    expect(await runDue()).toEqual([jobs.a.id]);
    expect(await runDue()).toEqual([jobs.b.id]);
    expect(await runDue()).toEqual([jobs.c.id]);
  });

  it('the run policy runs a dependent whose dependency failed or was cancelled', async () => {
    const { jobs } = await client().enqueueFlow({
      jobs: {
        a: { handler: 'images', method: 'resize', params: [1] },
        x: { handler: 'images', method: 'resize', params: [2], options: { delay: 3600 } },
        d: {
          handler: 'images',
          method: 'zip',
          params: [],
          dependsOn: ['a', 'x'],
          onDependencyFailure: 'run',
        },
      },
    });
    await runDue(store, () => 'fail');
    expect(await stateOf(jobs.d.id)).toBe('waiting');
    await client().cancel(jobs.x.id);
    expect(await runDue()).toEqual([jobs.d.id]);
    const parents = await store.dependencyList({ id: jobs.d.id });
    expect(parents.map((p) => p.state)).toEqual(['failed', 'cancelled']);
  });

  it('dependsOn on a single enqueue waits for existing jobs; a finished or failed one is taken as it is', async () => {
    const [done, failed, running] = await client().enqueueMany([
      { handler: 'images', method: 'resize', params: [1] },
      { handler: 'images', method: 'resize', params: [2] },
      { handler: 'images', method: 'resize', params: [3] },
    ]);
    if (done === undefined || failed === undefined || running === undefined)
      throw new Error('no jobs');
    await runDue(store, (j) =>
      j.id === failed.id ? 'fail' : j.id === done.id ? 'complete' : 'complete',
    );
    const later = await client().enqueue('images', 'zip', [], { dependsOn: [done.id] });
    expect(later.state).toBe('queued');
    const blocked = await client().enqueue('images', 'zip', [], {
      dependsOn: [done.id, failed.id],
    });
    expect(blocked.state).toBe('cancelled');
    const runsAnyway = await client().enqueue('images', 'zip', [], {
      dependsOn: [failed.id],
      onDependencyFailure: 'run',
    });
    expect(runsAnyway.state).toBe('queued');
    const third = await client().enqueue('images', 'resize', [4]);
    const waits = await client().enqueue('images', 'zip', [], { dependsOn: [third.id] });
    expect(waits.state).toBe('waiting');
    // The hand retry of the failed dependency re-arms the job it cancelled at insertion.
    await client().retry(failed.id);
    expect(await stateOf(blocked.id)).toBe('waiting');
  });

  it('marks the jobs others depend on, a running one included, and runs the flow trigger for those only', async () => {
    const [plain, early] = await client().enqueueMany([
      { handler: 'images', method: 'resize', params: [1] },
      { handler: 'images', method: 'resize', params: [2] },
    ]);
    if (plain === undefined || early === undefined) throw new Error('no jobs');
    const claimed = await store.jobClaim({
      workerId: 'w',
      queues: null,
      limit: 10,
      leaseMs: 60_000,
    });
    expect(claimed.map((j) => j.id).sort()).toEqual([plain.id, early.id].sort());
    // A dependent arrives while its dependency runs.
    const late = await client().enqueue('images', 'zip', [], { dependsOn: [early.id] });
    expect(late.state).toBe('waiting');
    const { jobs } = await client().enqueueFlow({
      jobs: {
        a: { handler: 'images', method: 'resize', params: [3] },
        b: { handler: 'images', method: 'zip', params: [], dependsOn: ['a'] },
      },
    });
    const marks = await store.connection.sql<{ id: string; marked: boolean }[]>`
      SELECT id::text AS id, has_dependents AS marked FROM jobs ORDER BY id`;
    expect(Object.fromEntries(marks.map((m) => [m.id, m.marked]))).toEqual({
      [plain.id]: false,
      [early.id]: true,
      [late.id]: false,
      [jobs.a.id]: true,
      [jobs.b.id]: false,
    });
    const triggerCalls = async (id: string) => {
      const [plan] = await store.connection.sql<{ 'QUERY PLAN': [{ Triggers?: unknown[] }] }[]>`
        EXPLAIN (ANALYZE, FORMAT JSON)
        UPDATE jobs SET state = 'completed', finished_at = now(), lease_owner = NULL,
                        lease_expires_at = NULL
         WHERE id = ${id}`;
      return (plan?.['QUERY PLAN'][0].Triggers ?? []).filter((t) =>
        String((t as { 'Trigger Name': string })['Trigger Name']).startsWith('jobs_flow_settle'),
      ).length;
    };
    expect(await triggerCalls(plain.id)).toBe(0);
    expect(await triggerCalls(early.id)).toBe(1);
    expect(await stateOf(late.id)).toBe('queued');
  });

  it('rejects cycles, self-dependencies, unknown keys and unknown ids naming the job, writing nothing', async () => {
    const c = client();
    const attempts: [unknown, string][] = [
      [
        {
          jobs: {
            a: { handler: 'images', method: 'zip', dependsOn: ['c'] },
            b: { handler: 'images', method: 'zip', dependsOn: ['a'] },
            c: { handler: 'images', method: 'zip', dependsOn: ['b'] },
          },
        },
        'jobs.a',
      ],
      [
        { jobs: { a: { handler: 'images', method: 'zip', dependsOn: ['a'] } } },
        'jobs.a.dependsOn.0',
      ],
      [
        {
          jobs: {
            a: { handler: 'images', method: 'zip' },
            b: { handler: 'images', method: 'zip', dependsOn: ['nope'] },
          },
        },
        'jobs.b.dependsOn.0',
      ],
      [
        {
          jobs: {
            a: { handler: 'images', method: 'zip' },
            b: { handler: 'images', method: 'zip', dependsOn: ['a', { id: '999999' }] },
          },
        },
        'jobs.b.dependsOn.1',
      ],
      [{ jobs: { a: { handler: 'images', method: 'nope' } } }, 'jobs.a.method'],
      [{ jobs: {} }, 'jobs'],
    ];
    for (const [flow, field] of attempts) {
      const error = await c.enqueueFlowUntyped(flow as { jobs: unknown }).catch((e: unknown) => e);
      expect(error, JSON.stringify(flow)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
    const single = await c
      .enqueue('images', 'zip', [], { dependsOn: ['424242'] })
      .catch((e: unknown) => e);
    expect((single as ValidationError).field).toBe('dependsOn.0');
    const [row] = await store.connection.sql<{ jobs: number; edges: number }[]>`
      SELECT (SELECT count(*)::int FROM jobs) AS jobs,
             (SELECT count(*)::int FROM job_dependencies) AS edges`;
    expect(row).toEqual({ jobs: 0, edges: 0 });
  });

  it('two connections completing the last two dependencies at once release the dependent exactly once', async () => {
    others = Array.from({ length: 2 }, () =>
      createPgStore({ url: schema.url, schema: schema.schema, max: 1 }),
    );
    for (let round = 0; round < 30; round++) {
      const { jobs } = await client().enqueueFlow({
        jobs: {
          b: { handler: 'images', method: 'resize', params: [1] },
          c: { handler: 'images', method: 'resize', params: [2] },
          d: { handler: 'images', method: 'zip', params: [], dependsOn: ['b', 'c'] },
        },
      });
      const [s1, s2] = others as [PgJobStore, PgJobStore];
      const [b] = await s1.jobClaim({ workerId: 'x', queues: null, limit: 1, leaseMs: 60_000 });
      const [c] = await s2.jobClaim({ workerId: 'y', queues: null, limit: 1, leaseMs: 60_000 });
      if (b === undefined || c === undefined) throw new Error('nothing claimed');
      await Promise.all([
        s1.jobComplete({ workerId: 'x', jobs: [{ id: b.id, attempt: 1, result: null }] }),
        s2.jobComplete({ workerId: 'y', jobs: [{ id: c.id, attempt: 1, result: null }] }),
      ]);
      expect(await stateOf(jobs.d.id)).toBe('queued');
      expect(await runDue()).toEqual([jobs.d.id]);
    }
  }, 60_000);

  it('deleting an unfinished dependency cancels its cancel-policy dependents and frees run-policy ones', async () => {
    const { jobs } = await client().enqueueFlow({
      jobs: {
        a: { handler: 'images', method: 'resize', params: [1] },
        b: { handler: 'images', method: 'zip', params: [], dependsOn: ['a'] },
        c: {
          handler: 'images',
          method: 'zip',
          params: [],
          dependsOn: ['a'],
          onDependencyFailure: 'run',
        },
      },
    });
    expect(await store.jobDelete({ ids: [jobs.a.id] })).toBe(1);
    expect(await stateOf(jobs.b.id)).toBe('cancelled');
    expect(await stateOf(jobs.c.id)).toBe('queued');
  });

  it('a waiting job is never claimed, listed by its own state and counted apart', async () => {
    const { jobs } = await client().enqueueFlow({
      jobs: {
        a: { handler: 'images', method: 'resize', params: [1], options: { delay: 3600 } },
        b: { handler: 'images', method: 'zip', params: [], dependsOn: ['a'] },
      },
    });
    expect(await store.jobClaim({ workerId: 'w', queues: null, limit: 10, leaseMs: 1000 })).toEqual(
      [],
    );
    const page = await store.jobList({ states: ['waiting'], limit: 10 });
    expect(page.jobs.map((j) => j.id)).toEqual([jobs.b.id]);
    const counts = await store.jobCount();
    expect(counts.byState.waiting).toBe(1);
    expect(counts.byState.scheduled).toBe(1);
  });
});
