import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

let api: TestApi;
let guarded: TestApi;

beforeAll(async () => {
  api = await createTestApi('flows');
  guarded = await createTestApi('flows_auth', { token: 'flow-token' });
});
afterAll(async () => {
  await api.close();
  await guarded.close();
});
beforeEach(async () => {
  await api.store.connection
    .sql`TRUNCATE jobs, job_dependencies, job_dependency_counts RESTART IDENTITY`;
});

const build = (year: number, extra: Record<string, unknown> = {}) => ({
  handler: 'reports',
  method: 'build',
  params: [year],
  ...extra,
});

async function counts(): Promise<{ jobs: number; edges: number }> {
  const [row] = await api.store.connection.sql<{ jobs: number; edges: number }[]>`
    SELECT (SELECT count(*)::int FROM jobs) AS jobs,
           (SELECT count(*)::int FROM job_dependencies) AS edges`;
  return row ?? { jobs: -1, edges: -1 };
}

describe('POST /api/flows and GET /api/jobs/{id}/flow', () => {
  it('enqueues a diamond by key and shows the flow around any of its jobs', async () => {
    const res = await api.call('POST', '/api/flows', {
      json: {
        jobs: {
          a: build(1),
          b: build(2, { dependsOn: ['a'] }),
          c: build(3, { dependsOn: ['a'], onDependencyFailure: 'run', priority: 5 }),
          d: build(4, { dependsOn: ['b', 'c'] }),
        },
      },
    });
    expect(res.status).toBe(201);
    const { jobs } = await res.json();
    expect(Object.keys(jobs)).toEqual(['a', 'b', 'c', 'd']);
    expect(jobs.a.state).toBe('queued');
    expect(jobs.d.state).toBe('waiting');
    expect(jobs.c.priority).toBe(5);

    const flow = await api.call('GET', `/api/jobs/${jobs.d.id}/flow`);
    expect(flow.status).toBe(200);
    const body = await flow.json();
    expect(body.truncated).toBe(false);
    expect(body.nodes.map((n: { id: string }) => n.id)).toEqual([
      jobs.a.id,
      jobs.b.id,
      jobs.c.id,
      jobs.d.id,
    ]);
    expect(body.nodes[2].dependsOn).toEqual([{ id: jobs.a.id, policy: 'run' }]);
    const limited = await (await api.call('GET', `/api/jobs/${jobs.d.id}/flow?limit=2`)).json();
    expect(limited.truncated).toBe(true);
    expect(limited.nodes.map((n: { id: string }) => n.id)).toContain(jobs.d.id);

    // A single enqueue waiting for an existing job of the flow.
    const after = await api.call('POST', '/api/jobs', {
      json: build(5, { dependsOn: [jobs.d.id] }),
    });
    expect(after.status).toBe(201);
    expect((await after.json()).state).toBe('waiting');
  });

  it('refuses a bad flow with 400 naming the field, writing nothing', async () => {
    const deep: unknown[] = [];
    let inner = deep;
    for (let i = 0; i < 200; i++) {
      const next: unknown[] = [];
      inner.push(next);
      inner = next;
    }
    const cases: [unknown, string][] = [
      [
        { jobs: { a: build(1, { dependsOn: ['b'] }), b: build(2, { dependsOn: ['a'] }) } },
        'jobs.a',
      ],
      [{ jobs: { a: build(1, { dependsOn: ['a'] }) } }, 'jobs.a.dependsOn.0'],
      [{ jobs: { a: build(1), b: build(2, { dependsOn: ['zz'] }) } }, 'jobs.b.dependsOn.0'],
      [{ jobs: { a: build(1, { dependsOn: [{ id: '77777' }] }) } }, 'jobs.a.dependsOn.0'],
      [{ jobs: { a: build(1, { onDependencyFailure: 'later' }) } }, 'jobs.a.onDependencyFailure'],
      [{ jobs: { 'bad key': build(1) } }, 'jobs.bad key'],
      [{ jobs: {} }, 'jobs'],
      [{ jobs: { a: { handler: 'reports', method: 'nope' } } }, 'jobs.a.method'],
      [{ jobs: { a: build(1, { params: ['x\u0000y'] }) } }, 'jobs.a.params'],
      [{ jobs: { a: build(1, { params: ['\ud800'] }) } }, 'jobs.a.params'],
      [{ jobs: { a: build(1, { params: [deep] }) } }, 'jobs.a.params'],
      [{ jobs: { a: build(1, { tags: ['x'.repeat(10_000)] }) } }, 'jobs.a.tags.0'],
      [{ jobs: { a: build(1, { uniqueKey: 'k' }) } }, 'jobs.a.options.uniqueKey'],
      [{ jobs: { a: build(1) }, extra: 1 }, 'extra'],
    ];
    for (const [json, field] of cases) {
      const res = await api.call('POST', '/api/flows', { json });
      expect(res.status, JSON.stringify(json).slice(0, 200)).toBe(400);
      const body = await res.json();
      expect(body.error.field.startsWith(field), JSON.stringify(body).slice(0, 300)).toBe(true);
    }
    expect(await counts()).toEqual({ jobs: 0, edges: 0 });
    const single = await api.call('POST', '/api/jobs', {
      json: build(1, { dependsOn: ['424242'] }),
    });
    expect(single.status).toBe(400);
    expect((await single.json()).error.field).toBe('dependsOn.0');
    expect(await counts()).toEqual({ jobs: 0, edges: 0 });
  });

  it('refuses the key __proto__, writing nothing', async () => {
    const res = await api.call('POST', '/api/flows', {
      body: '{"jobs":{"__proto__":{"handler":"reports","method":"build","params":[1]},"b":{"handler":"reports","method":"build","params":[2],"dependsOn":["__proto__"]}}}',
      headers: { 'Content-Type': 'application/json' },
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.field).toMatch(/^jobs/);
    expect(await counts()).toEqual({ jobs: 0, edges: 0 });
  });

  it('answers 404 for the flow of an unknown job and 400 for a bad id or limit', async () => {
    expect((await api.call('GET', '/api/jobs/99999/flow')).status).toBe(404);
    const bad = await api.call('GET', '/api/jobs/abc/flow');
    expect(bad.status).toBe(400);
    const limit = await api.call('GET', '/api/jobs/1/flow?limit=0');
    expect(limit.status).toBe(400);
    expect((await limit.json()).error.field).toBe('limit');
  });

  it('answers 405 with Allow for other methods', async () => {
    const res = await api.call('PUT', '/api/flows', { json: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    const flow = await api.call('POST', '/api/jobs/1/flow');
    expect(flow.status).toBe(405);
    expect(flow.headers.get('allow')).toBe('GET');
  });

  it('follows the app’s default dependency policy (flows.onDependencyFailure) unless the request says', async () => {
    await using runApi = await createTestApi('flows_run', { dependencyPolicy: 'run' });
    for (const target of [api, runApi]) {
      const failed = (await (await target.call('POST', '/api/jobs', { json: build(1) })).json()).id;
      const [claimed] = await target.store.jobClaim({
        workerId: 'w',
        queues: null,
        limit: 1,
        leaseMs: 60_000,
      });
      expect(claimed?.id).toBe(failed);
      await target.store.jobFail({
        workerId: 'w',
        jobs: [
          {
            id: failed,
            attempt: 1,
            error: { attempt: 1, message: 'x', name: 'Error', at: new Date().toISOString() },
            outcome: { state: 'failed' },
          },
        ],
      });
      const after = await (
        await target.call('POST', '/api/jobs', { json: build(2, { dependsOn: [failed] }) })
      ).json();
      expect(after.state).toBe(target === api ? 'cancelled' : 'queued');
      const told = await (
        await target.call('POST', '/api/jobs', {
          json: build(3, { dependsOn: [failed], onDependencyFailure: 'cancel' }),
        })
      ).json();
      expect(told.state).toBe('cancelled');
    }
  });

  it('requires the bearer token', async () => {
    const flow = { jobs: { a: build(1) } };
    expect((await guarded.call('POST', '/api/flows', { json: flow })).status).toBe(401);
    expect((await guarded.call('GET', '/api/jobs/1/flow')).status).toBe(401);
    const ok = await guarded.call('POST', '/api/flows', {
      json: flow,
      headers: { Authorization: 'Bearer flow-token' },
    });
    expect(ok.status).toBe(201);
  });

  it('never answers 5xx to random flows', async () => {
    const ref = fc.oneof(
      fc.constantFrom('a', 'b', 'c', 'zz', '', '__proto__'),
      fc.record({ id: fc.constantFrom('1', '0', 'x', '99999999999999999999') }),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const flowJob = fc.record(
      {
        handler: fc.constantFrom('reports', 'mailer', 'nope', 3),
        method: fc.constantFrom('build', 'send', ''),
        params: fc.oneof(fc.constant([2026]), fc.jsonValue({ maxDepth: 2 })),
        dependsOn: fc.oneof(fc.array(ref, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        onDependencyFailure: fc.constantFrom('cancel', 'run', 'x', null),
      },
      { requiredKeys: [] },
    );
    const flow = fc.oneof(
      fc.record({
        jobs: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd e', '__proto__'), flowJob, {
          maxKeys: 4,
        }),
      }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(flow, async (json) => {
        const res = await api.call('POST', '/api/flows', { json });
        expect(res.status, JSON.stringify(json)).toBeLessThan(500);
        expect(res.headers.get('content-type')).toContain('application/json');
      }),
      { numRuns: 150 },
    );
  });
});
