import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_RETENTION,
  effectiveRetention,
  JOB_STATES,
  type JobState,
  RETENTION_STATES,
  type RetentionSettings,
} from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

const HOUR = 3_600_000;
const PRUNER = fileURLToPath(new URL('./fixtures/pruner.mjs', import.meta.url));

/** Queue `b` keeps completed jobs forever and failed ones an hour; `c` deletes completed at once. */
const SETTINGS: RetentionSettings = {
  defaults: DEFAULT_RETENTION,
  queues: [
    { name: 'b', overrides: { completed: null, failed: HOUR } },
    { name: 'c', overrides: { completed: 0 } },
  ],
};

/** Ages of the rows written, in hours before now. */
const AGES_H = [0.5, 2, 48, 240, 480];

interface Planted {
  readonly id: string;
  readonly queue: string;
  readonly state: JobState;
  readonly ageMs: number;
}

describe('pruning finished jobs', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  let admin: postgres.Sql;

  beforeAll(async () => {
    schema = await createTestSchema('prune');
    store = createPgStore({ url: schema.url, schema: schema.schema, max: 4 });
    admin = postgres(schema.url, {
      max: 2,
      onnotice: () => {},
      connection: { search_path: schema.schema },
    });
  });

  afterAll(async () => {
    await admin?.end({ timeout: 5 });
    await store?.close();
    await schema?.drop();
  });

  beforeEach(async () => {
    await schema.truncate();
    await store.retentionSet({ settings: SETTINGS });
  });

  /** One job per queue, state and age, its state and finish time written as a worker would. */
  async function plant(queues = ['a', 'b', 'c']): Promise<Planted[]> {
    const specs = queues.flatMap((queue) =>
      JOB_STATES.flatMap((state) => AGES_H.map((h) => ({ queue, state, ageMs: h * HOUR }))),
    );
    const jobs = await store.jobInsert({
      jobs: specs.map((s) => newJob({ queue: s.queue, params: [s.state, s.ageMs] })),
    });
    const planted = jobs.map((job, i) => ({ ...(specs[i] as Omit<Planted, 'id'>), id: job.id }));
    // Unfinished jobs get an old finished_at too (a hand-written row): state alone must decide.
    await admin`UPDATE jobs SET state = v.state, attempt = 1,
        finished_at = now() - v.age_ms * interval '1 millisecond',
        lease_owner = CASE WHEN v.state = 'running' THEN 'w' END,
        lease_expires_at = CASE WHEN v.state = 'running' THEN now() + interval '1 hour' END
      FROM (SELECT unnest(${planted.map((p) => p.id)}::bigint[]) AS id,
                   unnest(${planted.map((p) => p.state)}::text[]) AS state,
                   unnest(${planted.map((p) => p.ageMs)}::float8[]) AS age_ms) v
      WHERE jobs.id = v.id`;
    return planted;
  }

  async function remainingIds(): Promise<string[]> {
    const rows = await admin<{ id: string }[]>`SELECT id::text AS id FROM jobs ORDER BY jobs.id`;
    return rows.map((r) => r.id);
  }

  function survivors(planted: readonly Planted[], eligible: (p: Planted) => boolean): string[] {
    return planted
      .filter((p) => !eligible(p))
      .map((p) => p.id)
      .sort((x, y) => Number(x) - Number(y));
  }

  const isFinal = (state: JobState) => (RETENTION_STATES as readonly string[]).includes(state);

  it('reads back the retention it was given, and the defaults after migration', async () => {
    expect(await store.retentionGet()).toEqual(SETTINGS);
    await store.retentionSet({ settings: { defaults: DEFAULT_RETENTION, queues: [] } });
    expect(await store.retentionGet()).toEqual({ defaults: DEFAULT_RETENTION, queues: [] });
  });

  it("deletes exactly the finished jobs past their queue's retention, in small batches", async () => {
    const planted = await plant();
    const batches: number[] = [];
    const result = await store.jobPrune({ batchSize: 2, onBatch: (b) => batches.push(b.count) });
    const expected = survivors(planted, (p) => {
      if (!isFinal(p.state)) return false;
      const ms = effectiveRetention(SETTINGS, p.queue)[p.state as 'completed'];
      return ms !== null && p.ageMs > ms;
    });
    expect(await remainingIds()).toEqual(expected);
    expect(result.deleted).toBe(planted.length - expected.length);
    expect(result.busy).toBe(false);
    expect(Math.max(...batches)).toBeLessThanOrEqual(2);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(result.deleted);
    // Never an unfinished job, whatever its finished_at says.
    const left = new Set(await remainingIds());
    for (const p of planted) if (!isFinal(p.state)) expect(left.has(p.id)).toBe(true);
  });

  it('a dry run counts what a prune deletes, and deletes nothing', async () => {
    const planted = await plant();
    const dry = await store.jobPrune({ dryRun: true });
    expect(await remainingIds()).toHaveLength(planted.length);
    const real = await store.jobPrune({});
    expect(dry.deleted).toBe(real.deleted);
    expect(dry.byQueue).toEqual(real.byQueue);
  });

  it('by hand: only the states, queues and age asked for, overriding the retention', async () => {
    const planted = await plant();
    const result = await store.jobPrune({
      states: ['completed', 'cancelled'],
      queues: ['b'],
      olderThanMs: HOUR,
    });
    const expected = survivors(
      planted,
      (p) =>
        p.queue === 'b' && (p.state === 'completed' || p.state === 'cancelled') && p.ageMs > HOUR,
    );
    expect(await remainingIds()).toEqual(expected);
    expect(result.deleted).toBe(planted.length - expected.length);
    // finishedBefore: an absolute cutoff, over every queue.
    const before = await store.jobPrune({
      states: ['failed'],
      finishedBefore: new Date(Date.now() - 100 * HOUR),
    });
    const after = survivors(
      planted,
      (p) => !expected.includes(p.id) || (p.state === 'failed' && p.ageMs > 100 * HOUR),
    );
    expect(await remainingIds()).toEqual(after);
    expect(before.deleted).toBe(3 * 2);
  });

  it('keeps everything a null retention keeps', async () => {
    await store.retentionSet({
      settings: { defaults: { completed: null, failed: null, cancelled: null }, queues: [] },
    });
    const planted = await plant(['a']);
    expect((await store.jobPrune({})).deleted).toBe(0);
    expect(await remainingIds()).toHaveLength(planted.length);
  });

  it('gives up (busy) while another process holds the pruner lock, and waits when asked', async () => {
    await plant(['a']);
    const holder = await admin.reserve();
    try {
      await holder`BEGIN`;
      await holder`SELECT pg_advisory_xact_lock(hashtext(${`jobs:prune:${schema.schema}`}))`;
      const busy = await store.jobPrune({});
      expect(busy).toMatchObject({ busy: true, deleted: 0 });
      const waiting = store.jobPrune({ waitMs: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      await holder`COMMIT`;
      expect((await waiting).deleted).toBeGreaterThan(0);
    } finally {
      holder.release();
    }
  });

  it('a completion in a queue keeping completed jobs 0 ms deletes the job at once; others keep theirs', async () => {
    const [gone, kept] = await store.jobInsert({
      jobs: [newJob({ queue: 'c', params: [1] }), newJob({ queue: 'a', params: [2] })],
    });
    if (gone === undefined || kept === undefined) throw new Error('no jobs');
    const claimed = await store.jobClaim({
      workerId: 'w1',
      queues: null,
      limit: 10,
      leaseMs: 60_000,
    });
    expect(claimed).toHaveLength(2);
    const done = await store.jobComplete({
      workerId: 'w1',
      jobs: claimed.map((j) => ({ id: j.id, attempt: j.attempt, result: 'ok' })),
    });
    expect(done.sort()).toEqual([gone.id, kept.id].sort());
    expect(await store.jobGet({ id: gone.id })).toBeNull();
    expect(await store.jobGet({ id: kept.id })).toMatchObject({ state: 'completed', result: 'ok' });
    // A stale second completion of the deleted job records nothing.
    const again = await store.jobComplete({
      workerId: 'w1',
      jobs: [{ id: gone.id, attempt: 1, result: null }],
    });
    expect(again).toEqual([]);
  });

  it('keeps a finished job an unfinished job depends on, at completion and in a prune, until the dependent finishes', async () => {
    // Queue c keeps completed jobs 0 ms: its job would go at completion, but a job waits on it.
    const [parent, child] = await store.flowInsert({
      jobs: [newJob({ queue: 'c', params: [1] }), newJob({ queue: 'a', params: [2] })],
      keys: ['parent', 'child'],
      dependencies: [{ job: 1, on: { index: 0 }, policy: 'cancel' }],
    });
    if (parent === undefined || child === undefined) throw new Error('no flow');
    expect(child.state).toBe('waiting');
    const [claimed] = await store.jobClaim({
      workerId: 'w1',
      queues: null,
      limit: 10,
      leaseMs: 60_000,
    });
    expect(claimed?.id).toBe(parent.id);
    await store.jobComplete({
      workerId: 'w1',
      jobs: [{ id: parent.id, attempt: 1, result: 'for the child' }],
    });
    expect(await store.jobGet({ id: parent.id })).toMatchObject({ state: 'completed' });
    expect((await store.jobGet({ id: child.id }))?.state).toBe('queued');
    // A prune by hand of every completed job leaves it while its dependent is unfinished...
    const first = await store.jobPrune({ states: ['completed'], olderThanMs: 0 });
    expect(first.deleted).toBe(0);
    expect(await store.dependencyList({ id: child.id })).toMatchObject([
      { id: parent.id, result: 'for the child' },
    ]);
    // ...and deletes it once the dependent has finished.
    const [run] = await store.jobClaim({
      workerId: 'w1',
      queues: null,
      limit: 10,
      leaseMs: 60_000,
    });
    expect(run?.id).toBe(child.id);
    await store.jobComplete({ workerId: 'w1', jobs: [{ id: child.id, attempt: 1, result: null }] });
    const second = await store.jobPrune({ states: ['completed'], olderThanMs: 0 });
    expect(second.deleted).toBe(2);
    expect(await remainingIds()).toEqual([]);
  });

  it('with a default of 0, only queues overriding it keep completed jobs', async () => {
    await store.retentionSet({
      settings: {
        defaults: { ...DEFAULT_RETENTION, completed: 0 },
        queues: [{ name: 'audit', overrides: { completed: null } }],
      },
    });
    await store.jobInsert({
      jobs: [newJob({ queue: 'audit' }), newJob({ queue: 'x' }), newJob({ queue: 'y' })],
    });
    const claimed = await store.jobClaim({ workerId: 'w', queues: null, limit: 9, leaseMs: 9_000 });
    await store.jobComplete({
      workerId: 'w',
      jobs: claimed.map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
    });
    const rows = await admin<{ queue: string }[]>`SELECT queue FROM jobs`;
    expect(rows.map((r) => r.queue)).toEqual(['audit']);
  });

  it('several pruner processes at once delete every eligible job exactly once and nothing else', async () => {
    const planted = await plant(['a', 'b', 'c']);
    // Many more old completed jobs, so the processes overlap for a while.
    const many = await store.jobInsert({
      jobs: Array.from({ length: 2_000 }, (_, i) => newJob({ queue: `q${i % 2}`, params: [i] })),
    });
    await admin`UPDATE jobs SET state = 'completed', attempt = 1, finished_at = now() - interval '2 days'
      WHERE id = ANY(${many.map((j) => j.id)}::bigint[])`;
    // The database's clock as the witness: every delete statement writes down when it started
    // and ended and which rows it removed.
    await admin`CREATE TABLE pruned (id bigint, pid int)`;
    await admin`CREATE TABLE spans (txid bigint, pid int, started timestamptz, ended timestamptz)`;
    await admin`CREATE FUNCTION span_start() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO spans VALUES (txid_current(), pg_backend_pid(), clock_timestamp(), NULL);
      RETURN NULL; END $$`;
    await admin`CREATE FUNCTION span_end() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO pruned (id, pid) SELECT id, pg_backend_pid() FROM old_rows;
      UPDATE spans SET ended = clock_timestamp() WHERE txid = txid_current(); RETURN NULL; END $$`;
    await admin`CREATE TRIGGER span_start BEFORE DELETE ON jobs FOR EACH STATEMENT
      EXECUTE FUNCTION span_start()`;
    await admin`CREATE TRIGGER span_end AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION span_end()`;
    try {
      const expected = survivors(planted, (p) => {
        if (!isFinal(p.state)) return false;
        const ms = effectiveRetention(SETTINGS, p.queue)[p.state as 'completed'];
        return ms !== null && p.ageMs > ms;
      });
      const runs = await Promise.all(
        [1, 2, 3, 4].map(() =>
          runPruner(schema, { PRUNE_BATCH_SIZE: '40', PRUNE_MAX_BATCHES: '5' }),
        ),
      );
      expect(await remainingIds()).toEqual(expected);
      const total = runs.reduce((sum, r) => sum + r.total, 0);
      const deletedCount = planted.length - expected.length + many.length;
      expect(total).toBe(deletedCount);
      const [audit] = await admin<{ rows: number; ids: number; pids: number }[]>`
        SELECT count(*)::int AS rows, count(DISTINCT id)::int AS ids,
               count(DISTINCT pid)::int AS pids FROM pruned`;
      expect(audit?.rows).toBe(deletedCount);
      expect(audit?.ids).toBe(deletedCount);
      expect(audit?.pids).toBeGreaterThanOrEqual(2);
      // One at a time: sorted by start, each delete began after the previous one ended.
      const spans = await admin<{ started: Date; ended: Date | null }[]>`
        SELECT started, ended FROM spans ORDER BY started`;
      expect(spans.length).toBeGreaterThan(deletedCount / 40);
      for (let i = 1; i < spans.length; i++) {
        const previous = spans[i - 1]?.ended;
        expect(previous).not.toBeNull();
        expect((spans[i]?.started.getTime() ?? 0) >= (previous?.getTime() ?? 0)).toBe(true);
      }
    } finally {
      await admin`DROP TRIGGER span_start ON jobs`;
      await admin`DROP TRIGGER span_end ON jobs`;
      await admin`DROP TABLE pruned, spans`;
      await admin`DROP FUNCTION span_start(), span_end()`;
    }
  }, 120_000);

  it('a pruner killed mid-batch loses nothing: its batch rolls back whole, the next prune is exact', async () => {
    const jobs = await store.jobInsert({
      jobs: Array.from({ length: 60 }, (_, i) => newJob({ queue: 'slow', params: [i] })),
    });
    const fresh = await store.jobInsert({ jobs: [newJob({ queue: 'slow' })] });
    await admin`UPDATE jobs SET state = 'completed', attempt = 1, finished_at = now() - interval '2 days'
      WHERE id = ANY(${jobs.map((j) => j.id)}::bigint[])`;
    // Each deleted row takes 100 ms: a batch of 60 takes 6 s, time to kill the process in it.
    await admin`CREATE FUNCTION slow_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.1); RETURN OLD; END $$`;
    await admin`CREATE TRIGGER slow_delete BEFORE DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION slow_delete()`;
    try {
      const child = startPruner(schema, { PRUNE_BATCH_SIZE: '100', PRUNE_ONCE: '1' });
      await waitFor(async () => {
        const [row] = await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE query LIKE '%victims%' AND state = 'active' AND pid <> pg_backend_pid()`;
        return (row?.n ?? 0) > 0;
      });
      child.process.kill('SIGKILL');
      await child.exited;
      // The server notices the closed connection and rolls the batch back.
      await waitFor(async () => {
        const [row] = await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE query LIKE '%victims%' AND pid <> pg_backend_pid()`;
        return (row?.n ?? 0) === 0;
      }, 20_000);
      expect(await remainingIds()).toHaveLength(61);
    } finally {
      await admin`DROP TRIGGER slow_delete ON jobs`;
      await admin`DROP FUNCTION slow_delete()`;
    }
    const result = await store.jobPrune({ batchSize: 25 });
    expect(result.deleted).toBe(60);
    expect(await remainingIds()).toEqual(fresh.map((j) => j.id));
  }, 60_000);

  it('reports the table size and dead rows', async () => {
    await plant(['a']);
    await store.jobPrune({});
    const stats = await store.jobTableStats();
    expect(stats.totalBytes).toBeGreaterThanOrEqual(stats.tableBytes + stats.indexBytes);
    expect(stats.indexBytes).toBeGreaterThan(0);
    expect(stats.deadShare).toBeGreaterThanOrEqual(0);
    expect(stats.deadShare).toBeLessThanOrEqual(1);
    const [server] = await admin<
      { on: boolean }[]
    >`SELECT current_setting('autovacuum')::boolean AS on`;
    expect(stats.autovacuum).toBe(server?.on);
    await admin`ALTER TABLE jobs SET (autovacuum_enabled = false)`;
    expect((await store.jobTableStats()).autovacuum).toBe(false);
    await admin`ALTER TABLE jobs RESET (autovacuum_enabled)`;
  });

  it('the migration set autovacuum settings on the jobs table', async () => {
    const [row] = await admin<{ options: string[] }[]>`
      SELECT reloptions AS options FROM pg_class WHERE oid = 'jobs'::regclass`;
    expect(row?.options).toEqual(
      expect.arrayContaining([
        'autovacuum_vacuum_scale_factor=0.01',
        'autovacuum_analyze_scale_factor=0.02',
      ]),
    );
  });
});

/** A pruner process (test/fixtures/pruner.mjs on the built store) and what it printed. */
function startPruner(
  schema: TestSchema,
  env: Readonly<Record<string, string>>,
): { process: ChildProcess; lines: string[]; exited: Promise<void> } {
  const child = spawn(process.execPath, [PRUNER], {
    env: { ...process.env, ...env, DATABASE_URL: schema.url, JOBS_SCHEMA: schema.schema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { process: child, lines, exited };
}

async function runPruner(
  schema: TestSchema,
  env: Readonly<Record<string, string>>,
): Promise<{ total: number; batches: number }> {
  const child = startPruner(schema, env);
  await child.exited;
  const parsed = child.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const done = parsed.find((p) => p.done === true);
  if (done === undefined) throw new Error(`the pruner did not finish: ${child.lines.join('\n')}`);
  return { total: Number(done.total), batches: parsed.filter((p) => p.batch !== undefined).length };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}
