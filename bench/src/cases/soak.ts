// The soak case (issue 17): enqueue and drain at a steady rate near the machine's capacity for
// minutes, with completed jobs kept 1 minute, and watch that the jobs table stops growing: rows,
// its size on disk with its indexes, dead rows, and the claim's and the list's p99, every 10 s.
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  createClient,
  DEFAULT_RETENTION,
  defineHandlers,
  type JobRetentionStore,
  type JobStore,
} from '@jobs/core';
import type { PgJobStore } from '@jobs/storage';
import { createWorker, silentLogger } from '@jobs/worker';
import type { BenchDatabase } from '../database.js';
import { percentile, round } from '../stats.js';

/** How a soak runs. */
export interface SoakOptions {
  /** Length of the run after calibration, in seconds (default 600). */
  readonly seconds: number;
  /** Jobs per second to enqueue; undefined: half the rate measured in a calibration. */
  readonly rate: number | undefined;
  /** Completed retention in ms (default 60,000). */
  readonly retentionMs: number;
  /** Seconds between samples (default 10). */
  readonly sampleSeconds: number;
  /** Seconds between the worker's pruning passes (default 10). */
  readonly pruneSeconds: number;
}

/** One sample of the table and the latencies of the last window. */
export interface SoakSample {
  /** Seconds since the start of the run. */
  readonly t: number;
  readonly rows: number;
  /** `pg_total_relation_size('jobs')` (table, TOAST and indexes), bytes. */
  readonly totalBytes: number;
  readonly indexBytes: number;
  readonly deadRows: number;
  /** Claim statement p99 over the window, ms. */
  readonly claimP99: number;
  /** First page of `GET /api/jobs`-style lists (newest, and completed newest) p99, ms. */
  readonly listP99: number;
  /** Claims and list reads timed in the window (the p99s' sample sizes). */
  readonly claims: number;
  readonly lists: number;
  /** Jobs enqueued and completed per second over the window. */
  readonly enqueuedPerSecond: number;
  readonly completedPerSecond: number;
  readonly load1: number;
  /** VACUUMs the soak ran so far in place of autovacuum (0 when the server's autovacuum is on). */
  readonly vacuums: number;
}

/** Everything a soak found. */
export interface SoakResult {
  readonly rate: number;
  readonly calibratedRate: number | null;
  readonly samples: readonly SoakSample[];
  /** Per checked metric: the reference (the third minute's median) and the worst later minute. */
  readonly checks: readonly SoakCheck[];
  readonly pass: boolean;
  readonly svg: string;
}

/** One metric's flat-line check. */
export interface SoakCheck {
  readonly metric: 'totalBytes' | 'claimP99' | 'listP99';
  /** How each minute is summed up: the median of its samples (size), or the p99 of all its reads. */
  readonly summary: 'median of samples' | 'p99 of the minute';
  readonly reference: number;
  /** The summary of each later minute. */
  readonly minutes: readonly number[];
  /** Largest relative distance from the reference among them. */
  readonly worstDeviation: number;
  readonly pass: boolean;
}

const handlers = defineHandlers({ soak: { noop: (): null => null } });

function makeClient(store: PgJobStore) {
  return createClient(store, handlers);
}

/** The client the soak enqueues through. */
type SoakClient = ReturnType<typeof makeClient>;

/**
 * Share of the calibrated drain rate the soak enqueues at: high enough to keep the worker busy,
 * low enough that a machine whose load swings (shared with other processes) keeps up.
 */
const SOAK_SHARE = 0.5;

/** Minutes before the reference is taken (the issue: after the first 3 minutes). */
const WARMUP_MINUTES = 3;
/** Allowed distance from the reference. */
const TOLERANCE = 0.2;

/** Runs the soak on a fresh schema of `db`; `out` gets a line per sample. */
export async function runSoak(
  db: BenchDatabase,
  options: SoakOptions,
  out: (line: string) => void,
): Promise<SoakResult> {
  const store = await db.reset();
  await store.retentionSet({
    settings: {
      defaults: { ...DEFAULT_RETENTION, completed: options.retentionMs },
      queues: [],
    },
  });
  const client = makeClient(store);
  const claims: number[] = [];
  const timed: JobStore & JobRetentionStore = {
    ...store,
    jobClaim: async (params) => {
      const started = performance.now();
      try {
        return await store.jobClaim(params);
      } finally {
        claims.push(performance.now() - started);
      }
    },
  };
  let completed = 0;
  const worker = createWorker({
    store: timed,
    handlers,
    concurrency: 16,
    pollIntervalMs: 200,
    pruneIntervalMs: options.pruneSeconds * 1000,
    jobLogPath: null,
    errorLogPath: null,
    logger: silentLogger,
  });
  worker.events.on('completed', () => {
    completed += 1;
  });
  await worker.start();
  let calibratedRate: number | null = null;
  try {
    let rate = options.rate;
    if (rate === undefined) {
      calibratedRate = await calibrate(store, client, () => completed);
      rate = Math.max(50, Math.round(calibratedRate * SOAK_SHARE));
      out(
        `  calibration: drained ${Math.round(calibratedRate)} jobs/s; soak rate ${SOAK_SHARE * 100} %: ${rate}/s`,
      );
    }
    const pools: LatencyPools = { claimP99: new Map(), listP99: new Map() };
    const samples = await soak(store, client, {
      ...options,
      rate,
      claims,
      pools,
      completed: () => completed,
      out,
    });
    const checks = [
      check(samples, 'totalBytes', options.sampleSeconds),
      check(samples, 'claimP99', options.sampleSeconds, pools.claimP99),
      check(samples, 'listP99', options.sampleSeconds, pools.listP99),
    ];
    return {
      rate,
      calibratedRate,
      samples,
      checks,
      pass: checks.every((c) => c.pass),
      svg: chart(samples, options.retentionMs),
    };
  } finally {
    await worker.stop({ graceMs: 2_000 });
  }
}

/** Enqueues a backlog and measures how fast the worker drains it for 15 s. */
async function calibrate(
  store: PgJobStore,
  client: SoakClient,
  completed: () => number,
): Promise<number> {
  await enqueue(client, 40_000);
  const start = completed();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  const rate = (completed() - start) / ((performance.now() - started) / 1000);
  await store.connection.sql`DELETE FROM jobs WHERE state IN ('queued', 'scheduled')`;
  // Running jobs finish within moments; then the table starts empty.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await store.connection.sql`DELETE FROM jobs WHERE state <> 'running'`;
  await store.connection.sql`VACUUM ANALYZE jobs`;
  return rate;
}

async function enqueue(client: SoakClient, n: number) {
  for (let done = 0; done < n; done += 5_000) {
    const k = Math.min(5_000, n - done);
    await client.enqueueMany(
      Array.from({ length: k }, () => ({ handler: 'soak', method: 'noop', params: [] }) as const),
    );
  }
}

/**
 * Every claim and list read timed during the run, by minute: a p99 over a whole minute's reads
 * (about 1,200 lists and thousands of claims) is a steady figure, where the p99 of one 10-s
 * window's few hundred reads is close to its single slowest read.
 */
interface LatencyPools {
  readonly claimP99: Map<number, number[]>;
  readonly listP99: Map<number, number[]>;
}

function pool(pools: Map<number, number[]>, minute: number, values: readonly number[]) {
  const into = pools.get(minute);
  if (into === undefined) pools.set(minute, [...values]);
  else for (const v of values) into.push(v);
}

async function soak(
  store: PgJobStore,
  client: SoakClient,
  o: SoakOptions & {
    readonly rate: number;
    readonly claims: number[];
    readonly pools: LatencyPools;
    readonly completed: () => number;
    readonly out: (line: string) => void;
  },
): Promise<SoakSample[]> {
  const started = performance.now();
  const end = started + o.seconds * 1000;
  let enqueued = 0;
  const lists: number[] = [];
  let stop = false;
  // Enqueue every 100 ms what the rate owes by then (a steady stream, not bursts).
  const producer = (async () => {
    while (!stop) {
      const owed = Math.floor(((performance.now() - started) / 1000) * o.rate) - enqueued;
      if (owed > 0) {
        await client.enqueueMany(
          Array.from(
            { length: owed },
            () => ({ handler: 'soak', method: 'noop', params: [] }) as const,
          ),
        );
        enqueued += owed;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  // The dashboard's two usual list pages, 20 per second (enough reads for a p99 per window).
  const lister = (async () => {
    let n = 0;
    while (!stop) {
      const t0 = performance.now();
      await store.jobList(n % 2 === 0 ? { limit: 50 } : { limit: 50, states: ['completed'] });
      lists.push(performance.now() - t0);
      n += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  // A server with autovacuum off (this machine's test server has it off) reclaims no dead row:
  // the table would grow whatever the pruner does. Then the soak stands in for autovacuum with
  // the jobs table's own settings (migration 0012): every naptime (60 s), a VACUUM ANALYZE when
  // dead rows exceed 1,000 + 1 % of the live ones.
  const [setting] = await store.connection.sql<{ on: boolean }[]>`
    SELECT current_setting('autovacuum')::boolean AS on`;
  let vacuums = 0;
  const vacuumer =
    setting?.on === true
      ? Promise.resolve()
      : (async () => {
          o.out(
            "  the server has autovacuum off: the soak runs VACUUM ANALYZE jobs by the table's autovacuum thresholds every 60 s",
          );
          while (!stop) {
            for (let waited = 0; waited < 60_000 && !stop; waited += 1_000) {
              await new Promise((resolve) => setTimeout(resolve, 1_000));
            }
            if (stop) return;
            const [row] = await store.connection.sql<{ due: boolean }[]>`
              SELECT n_dead_tup > 1000 + 0.01 * n_live_tup AS due
                FROM pg_stat_user_tables WHERE relid = 'jobs'::regclass`;
            if (row?.due === true) {
              await store.connection.sql.unsafe('VACUUM (ANALYZE) jobs');
              vacuums += 1;
            }
          }
        })();
  const samples: SoakSample[] = [];
  let lastEnqueued = 0;
  let lastCompleted = o.completed();
  let lastAt = performance.now();
  while (performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, o.sampleSeconds * 1000));
    const now = performance.now();
    const [row] = await store.connection.sql<
      { rows: number; total: string; indexes: string; dead: string }[]
    >`SELECT (SELECT count(*)::int FROM jobs) AS rows,
             pg_total_relation_size('jobs') AS total, pg_indexes_size('jobs') AS indexes,
             (SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'jobs'::regclass) AS dead`;
    const window = (now - lastAt) / 1000;
    const claimSorted = o.claims.splice(0).sort((a, b) => a - b);
    const listSorted = lists.splice(0).sort((a, b) => a - b);
    const done = o.completed();
    const t = Math.round((now - started) / 1000);
    pool(o.pools.claimP99, minuteOf(t), claimSorted);
    pool(o.pools.listP99, minuteOf(t), listSorted);
    const sample: SoakSample = {
      t,
      rows: row?.rows ?? 0,
      totalBytes: Number(row?.total ?? 0),
      indexBytes: Number(row?.indexes ?? 0),
      deadRows: Number(row?.dead ?? 0),
      claimP99: round(percentile(claimSorted, 99), 2),
      listP99: round(percentile(listSorted, 99), 2),
      claims: claimSorted.length,
      lists: listSorted.length,
      enqueuedPerSecond: Math.round((enqueued - lastEnqueued) / window),
      completedPerSecond: Math.round((done - lastCompleted) / window),
      load1: round(loadavg()[0] ?? 0, 2),
      vacuums,
    };
    samples.push(sample);
    o.out(
      `  t=${String(sample.t).padStart(4)}s rows ${String(sample.rows).padStart(7)}  size ${mib(sample.totalBytes)} (idx ${mib(sample.indexBytes)})  dead ${String(sample.deadRows).padStart(6)}  claim p99 ${sample.claimP99} ms  list p99 ${sample.listP99} ms  in/out ${sample.enqueuedPerSecond}/${sample.completedPerSecond} per s  load ${sample.load1}  vacuums ${sample.vacuums}`,
    );
    lastEnqueued = enqueued;
    lastCompleted = done;
    lastAt = now;
  }
  stop = true;
  await Promise.all([producer, lister, vacuumer]);
  return samples;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1).padStart(6)} MiB`;
}

function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** The minute (0-based) a sample taken `t` seconds into the run belongs to. */
function minuteOf(t: number): number {
  return Math.floor((t - 1) / 60);
}

/**
 * The flat-line check of one metric: its reference is the third minute's figure; each later
 * whole minute's must stay within ±20 % of it. A minute's figure is the median of its samples,
 * or, given `reads` (every timed read by minute), the p99 of all the minute's reads.
 */
export function check(
  samples: readonly SoakSample[],
  metric: SoakCheck['metric'],
  sampleSeconds: number,
  reads?: ReadonlyMap<number, readonly number[]>,
): SoakCheck {
  const perMinute = Math.max(1, Math.round(60 / sampleSeconds));
  const minutes = new Map<number, number[]>();
  for (const s of samples) {
    const m = minuteOf(s.t);
    minutes.set(m, [...(minutes.get(m) ?? []), s[metric]]);
  }
  const figure = (m: number, values: readonly number[]): number => {
    if (reads === undefined) return median(values);
    return percentile(
      [...(reads.get(m) ?? [])].sort((a, b) => a - b),
      99,
    );
  };
  const reference = figure(WARMUP_MINUTES - 1, minutes.get(WARMUP_MINUTES - 1) ?? []);
  const later = [...minutes.entries()]
    .filter(([m, values]) => m >= WARMUP_MINUTES && values.length >= perMinute / 2)
    .sort(([a], [b]) => a - b)
    .map(([m, values]) => round(figure(m, values), 2));
  const worstDeviation = later.reduce(
    (worst, v) => Math.max(worst, Math.abs(v - reference) / reference),
    0,
  );
  return {
    metric,
    summary: reads === undefined ? 'median of samples' : 'p99 of the minute',
    reference: round(reference, 2),
    minutes: later,
    worstDeviation: round(worstDeviation, 3),
    pass: Number.isFinite(reference) && later.length > 0 && worstDeviation <= TOLERANCE,
  };
}

/** An SVG line chart of the table's total size (and its indexes) over time. */
export function chart(samples: readonly SoakSample[], retentionMs: number): string {
  const W = 720;
  const H = 320;
  const pad = { l: 64, r: 16, t: 40, b: 40 };
  const maxT = Math.max(60, ...samples.map((s) => s.t));
  const maxB = Math.max(1, ...samples.map((s) => s.totalBytes)) * 1.1;
  const x = (t: number) => pad.l + (t / maxT) * (W - pad.l - pad.r);
  const y = (b: number) => H - pad.b - (b / maxB) * (H - pad.t - pad.b);
  const line = (pick: (s: SoakSample) => number) =>
    samples
      .map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.t).toFixed(1)},${y(pick(s)).toFixed(1)}`)
      .join(' ');
  const ticksY = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxB);
  const ticksX = Array.from({ length: Math.floor(maxT / 60) + 1 }, (_, i) => i * 60);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">
<title>jobs table size during the soak</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${pad.l}" y="20" font-size="13">jobs table size during the soak (completed retention ${retentionMs / 1000} s)</text>
${ticksY.map((b) => `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(b).toFixed(1)}" y2="${y(b).toFixed(1)}" stroke="#ddd"/><text x="${pad.l - 6}" y="${(y(b) + 4).toFixed(1)}" text-anchor="end">${(b / 2 ** 20).toFixed(0)} MiB</text>`).join('\n')}
${ticksX.map((t) => `<text x="${x(t).toFixed(1)}" y="${H - pad.b + 16}" text-anchor="middle">${t / 60} min</text>`).join('\n')}
<line x1="${x(WARMUP_MINUTES * 60).toFixed(1)}" x2="${x(WARMUP_MINUTES * 60).toFixed(1)}" y1="${pad.t}" y2="${H - pad.b}" stroke="#999" stroke-dasharray="4 4"/>
<path d="${line((s) => s.totalBytes)}" fill="none" stroke="#1f6feb" stroke-width="2"/>
<path d="${line((s) => s.indexBytes)}" fill="none" stroke="#d29922" stroke-width="2"/>
<text x="${W - pad.r - 150}" y="${pad.t + 4}" fill="#1f6feb">total (table + indexes)</text>
<text x="${W - pad.r - 150}" y="${pad.t + 18}" fill="#d29922">indexes</text>
</svg>
`;
}

/** Writes the soak's series (JSON) and chart (SVG) under bench/results; returns their paths. */
export async function writeSoakResults(
  result: SoakResult,
  startedAt: Date,
): Promise<{ json: string; svg: string }> {
  const dir = new URL('../../results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const stem = `soak-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  const json = new URL(`${stem}.json`, dir);
  const svg = new URL(`${stem}.svg`, dir);
  const { svg: text, ...rest } = result;
  await writeFile(json, `${JSON.stringify(rest, null, 2)}\n`);
  await writeFile(svg, text);
  return { json: json.pathname, svg: svg.pathname };
}
