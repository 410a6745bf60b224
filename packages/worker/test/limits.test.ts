import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { QueueLimitsPatch } from '@jobs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, type SpawnedWorker, spawnWorker } from '../src/testing/index.js';
import { newJob, type PgFixture, sleep, usePg, waitFor } from './helpers.js';

/**
 * Limits across every worker, proved with 4 worker PROCESSES × concurrency 16 on real
 * PostgreSQL. The witness is what the handlers themselves wrote on the database clock
 * (`limit_witness`, see fixtures/limit-handlers.mjs), never the job rows. The workers poll only
 * every 2 s: a drain that keeps up with its limit shows that freed slots wake them.
 */
const HANDLERS = fileURLToPath(new URL('./fixtures/limit-handlers.mjs', import.meta.url));
const WORKERS = 4;
const CONCURRENCY = 16;
const POLL_MS = 2_000;

interface Interval {
  readonly tag: string;
  readonly pid: number;
  readonly start: number;
  readonly end: number | null;
}

describe('limits across 4 worker processes', () => {
  const pg = usePg('limits');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await pg.other.connection.sql.unsafe(`CREATE TABLE IF NOT EXISTS limit_witness (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, job_id bigint NOT NULL, tag text NOT NULL, pid integer NOT NULL,
      started_at timestamptz NOT NULL, ended_at timestamptz)`);
    // The lease test starts its own workers on queue `lease`.
    const served = ['--queues', 'conc,keyed,rated,change'];
    const spawned = await Promise.all(Array.from({ length: WORKERS }, () => start(served)));
    // Warm up: every process opens its handler connections before anything is measured.
    await enqueue('change', WORKERS * CONCURRENCY * 2, 50);
    await done('change', WORKERS * CONCURRENCY * 2, 30_000);
    await pg.other.connection.sql`DELETE FROM limit_witness`;
    expect(new Set(spawned.map((w) => w.child.pid)).size).toBe(WORKERS);
  }, 60_000);

  afterAll(() => {
    killAll(children.splice(0));
  });

  async function start(extra: readonly string[]): Promise<SpawnedWorker> {
    const worker = await spawnWorker({
      url: pg.schema.url,
      schema: pg.schema.schema,
      handlers: HANDLERS,
      args: [
        '--concurrency',
        String(CONCURRENCY),
        '--poll-interval-ms',
        String(POLL_MS),
        '--change-events',
        'off',
        ...extra,
      ],
    });
    children.push(worker.child);
    return worker;
  }

  /** Sets a queue's limits as a user would, through the store's port. */
  const limit = (name: string, limits: QueueLimitsPatch) =>
    pg.other.queueLimitsSet({ name, limits });

  async function enqueue(
    queue: string,
    count: number,
    ms: number,
    key: (i: number) => string | null = () => null,
  ): Promise<void> {
    const jobs = Array.from({ length: count }, (_, i) =>
      newJob({
        queue,
        handler: 'witness',
        method: 'run',
        params: [key(i) === null ? queue : `${queue}/${key(i)}`, ms],
        concurrencyKey: key(i),
      }),
    );
    await pg.other.jobInsert({ jobs });
  }

  /** What the handlers of `queue` recorded, start order; times in ms on the database clock. */
  async function witnessed(queue: string): Promise<Interval[]> {
    const rows = await pg.other.connection.sql<
      { tag: string; pid: number; start: number; end: number | null }[]
    >`SELECT tag, pid, extract(epoch FROM started_at) * 1000 AS start,
             extract(epoch FROM ended_at) * 1000 AS end
        FROM limit_witness WHERE tag = ${queue} OR tag LIKE ${`${queue}/%`}
       ORDER BY started_at, id`;
    return rows.map((r) => ({
      tag: r.tag,
      pid: r.pid,
      start: Number(r.start),
      end: r.end === null ? null : Number(r.end),
    }));
  }

  /** The most intervals open at one instant (an end at the same instant as a start comes first). */
  function mostOverlapping(
    intervals: readonly Interval[],
    until = Number.POSITIVE_INFINITY,
  ): number {
    const events: [number, number][] = [];
    for (const i of intervals) {
      events.push([i.start, 1]);
      events.push([i.end ?? until, -1]);
    }
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0;
    let most = 0;
    for (const [, d] of events) {
      open += d;
      most = Math.max(most, open);
    }
    return most;
  }

  const done = (queue: string, count: number, timeoutMs: number) =>
    waitFor(
      async () => {
        const rows = await witnessed(queue);
        return rows.length >= count && rows.every((r) => r.end !== null) ? rows : null;
      },
      timeoutMs,
      `${count} jobs of ${queue} finished`,
    );

  it('queue concurrency 3: exactly 3 overlap at most, across several processes', async () => {
    const jobMs = 200;
    const count = 45;
    await limit('conc', { concurrency: 3 });
    await enqueue('conc', count, jobMs);
    const rows = await done('conc', count, 30_000);
    expect(rows).toHaveLength(count);
    expect(mostOverlapping(rows)).toBe(3);
    // Several processes took part: the limit held across them, not inside one.
    const pids = await pg.other.connection.sql<{ n: number }[]>`
      SELECT count(DISTINCT pid)::int AS n FROM limit_witness WHERE tag = 'conc'`;
    expect(pids[0]?.n).toBeGreaterThan(1);
    const first = Math.min(...rows.map((r) => r.start));
    const last = Math.max(...rows.map((r) => r.end ?? 0));
    const perSecond = count / ((last - first) / 1000);
    // The job's duration as its handler lived it (its sleep and its own two writes).
    const duration = rows.reduce((sum, r) => sum + ((r.end ?? 0) - r.start), 0) / count;
    expect(duration).toBeGreaterThanOrEqual(jobMs);
    const ideal = 3 / (duration / 1000);
    // Throughput is a speed figure, reported rather than asserted (this machine's load moves
    // it; the project measures speed in `pnpm bench`): issue 18 asks for at least 0.90.
    console.log(
      `queue concurrency 3: drained at ${(perSecond / ideal).toFixed(3)} of 3 / job duration`,
    );
  }, 60_000);

  it('concurrency key limit 1 over 10 keys: never two of one key at once; other keys progress', async () => {
    const jobMs = 100;
    const perKey = 5;
    await enqueue('keyed', 10 * perKey, jobMs, (i) => `customer-${i % 10}`);
    const rows = await done('keyed', 10 * perKey, 30_000);
    const byKey = new Map<string, Interval[]>();
    for (const r of rows) byKey.set(r.tag, [...(byKey.get(r.tag) ?? []), r]);
    expect(byKey.size).toBe(10);
    for (const [, intervals] of byKey) {
      expect(intervals).toHaveLength(perKey);
      expect(mostOverlapping(intervals)).toBe(1);
    }
    // Other keys ran meanwhile: most keys overlapped with some other key's job.
    expect(mostOverlapping(rows)).toBeGreaterThanOrEqual(8);
    // One key's queue of 5 jobs took about 5 durations, not 50: busy keys blocked nobody.
    const first = Math.min(...rows.map((r) => r.start));
    const last = Math.max(...rows.map((r) => r.end ?? 0));
    expect(last - first).toBeLessThan(10 * perKey * jobMs * 0.5);
  }, 60_000);

  it('rate limit 50 per second over 10 s: no 1-second window has more than 50 starts', async () => {
    await limit('rated', { rateLimit: { limit: 50, periodMs: 1000 } });
    await enqueue('rated', 700, 60);
    await sleep(11_500);
    await pg.other.queuePause({ name: 'rated' });
    // Each job's start as the claim made it (the time the limit was checked against) and as its
    // handler witnessed it, both on the database clock.
    const rows = await pg.other.connection.sql<{ claimed: number; witnessed: number }[]>`
      SELECT extract(epoch FROM j.started_at) * 1000 AS claimed,
             extract(epoch FROM w.started_at) * 1000 AS witnessed
        FROM limit_witness w JOIN jobs j ON j.id = w.job_id
       WHERE w.tag = 'rated'`;
    const claimed = rows.map((r) => Number(r.claimed));
    const witnessed = rows.map((r) => Number(r.witnessed));
    expect(mostInWindow(claimed, 1000)).toBeLessThanOrEqual(50);
    // A handler starts a few ms after its claim; how many ms varies with the machine's load,
    // so a window of handler starts holds at most the limit once shortened by that spread.
    const delays = rows.map((r) => Number(r.witnessed) - Number(r.claimed));
    const spread = Math.max(...delays) - Math.min(...delays);
    expect(spread).toBeLessThan(500);
    expect(mostInWindow(witnessed, 1000 - spread)).toBeLessThanOrEqual(50);
    // The second window's first start: the workers woke as the window freed (1 s after the
    // first starts), not at their next poll (2 s), even though the limit was set after they
    // had last asked the store about rate windows (and were told there were none).
    const sortedClaims = [...claimed].sort((a, b) => a - b);
    const firstClaim = sortedClaims[0] ?? 0;
    const secondWindow = sortedClaims.find((c) => c >= firstClaim + 1000) ?? Number.NaN;
    expect(secondWindow - firstClaim).toBeLessThan(1000 + POLL_MS / 4);
    const first = Math.min(...witnessed);
    const inTen = witnessed.filter((s) => s < first + 10_000).length;
    // The average is a speed figure, reported rather than asserted (issue 18 asks for 45/s).
    console.log(`rate limit 50/s: ${(inTen / 10).toFixed(1)} starts/s on average over 10 s`);
    expect(inTen).toBeGreaterThan(0);
  }, 60_000);

  it('a limit changed at run time takes effect within one second', async () => {
    await limit('change', { concurrency: 1 });
    await enqueue('change', 40, 1_500);
    await sleep(1_000);
    expect(mostOverlapping(await witnessed('change'))).toBe(1);
    const raisedAt = await dbNow(pg);
    await limit('change', { concurrency: 4 });
    const rows = await waitFor(
      async () => {
        const r = await witnessed('change');
        return r.filter((x) => x.end === null).length >= 4 ? r : null;
      },
      5_000,
      '4 running after the raise',
    );
    const fourth = rows
      .filter((r) => r.start >= raisedAt)
      .map((r) => r.start)
      .sort()[2];
    expect(fourth).toBeDefined();
    expect((fourth ?? Number.POSITIVE_INFINITY) - raisedAt).toBeLessThan(1_000);
    expect(mostOverlapping(rows)).toBe(4);
    // Lowered to 2: no new start until only 2 run; then never more than 2.
    await limit('change', { concurrency: 2 });
    const loweredAt = await dbNow(pg);
    await sleep(4_000);
    const after = (await witnessed('change')).filter((r) => r.start >= loweredAt);
    expect(after.length).toBeGreaterThan(0);
    expect(mostOverlapping(after)).toBeLessThanOrEqual(2);
    await pg.other.queuePause({ name: 'change' });
  }, 60_000);

  it('a worker killed while holding slots frees them by lease expiry', async () => {
    const leaseMs = 1_500;
    await limit('lease', { concurrency: 3 });
    // The doomed worker alone serves the queue first and takes all 3 slots.
    const doomed = await start(['--queues', 'lease', '--lease-ms', String(leaseMs)]);
    await enqueue('lease', 3, 60_000);
    const held = await waitFor(
      async () => ((await witnessed('lease')).length === 3 ? witnessed('lease') : null),
      10_000,
      '3 started',
    );
    expect(held.map((r) => r.pid)).toEqual([doomed.child.pid, doomed.child.pid, doomed.child.pid]);
    // A second worker of the queue waits: the 3 slots are held.
    const heir = await start(['--queues', 'lease']);
    await enqueue('lease', 3, 100);
    await sleep(1_000);
    expect(await witnessed('lease')).toHaveLength(3);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const killedAt = await dbNow(pg);
    // The other workers run the 3 waiting jobs once the leases have expired (and at most 3).
    const rows = await waitFor(
      async () => {
        const r = (await witnessed('lease')).filter((x) => x.start > killedAt);
        return r.length >= 3 && r.every((x) => x.end !== null) ? r : null;
      },
      leaseMs + POLL_MS + 8_000,
      'the waiting jobs ran after the kill',
    );
    expect(Math.min(...rows.map((r) => r.start)) - killedAt).toBeLessThan(
      leaseMs + POLL_MS + 2_000,
    );
    expect(rows.every((r) => r.pid === heir.child.pid)).toBe(true);
    expect(mostOverlapping(rows)).toBeLessThanOrEqual(3);
  }, 60_000);
});

/** The most of `times` inside one window [t, t + ms) over every t. */
function mostInWindow(times: readonly number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && (sorted[j] ?? 0) < (sorted[i] ?? 0) + ms) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

async function dbNow(pg: PgFixture): Promise<number> {
  const [row] = await pg.other.connection.sql<{ now: number }[]>`
    SELECT extract(epoch FROM clock_timestamp()) * 1000 AS now`;
  return Number(row?.now);
}
