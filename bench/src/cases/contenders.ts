import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { wallClockMs } from '../contenders/recorder.js';
import type { Settings, System } from '../contenders/settings.js';
import {
  anyPending,
  checkExactlyOnce,
  jobIds,
  type RunningWorker,
  runClient,
  schemaOf,
  scratchDir,
  startWorker,
  tableState,
} from '../contenders/systems.js';
import type { CaseContext } from '../context.js';
import { perJob, readCounters, statsSettle } from '../dbstats.js';
import { summarize } from '../stats.js';

/** ANALYZE every table of a schema, so that each contender starts with fresh statistics. */
async function analyzeSchema(ctx: CaseContext, schema: string): Promise<void> {
  const sql = ctx.db.admin;
  const tables = await sql<{ name: string }[]>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = ${schema}`;
  for (const t of tables) await sql`ANALYZE ${sql(schema)}.${sql(t.name)}`;
}

/**
 * Bulk enqueue: `jobs` jobs through the system's batch API in a fresh process, in one call, or
 * in sequential calls of `callSize` jobs.
 */
export async function runBulkEnqueue(
  ctx: CaseContext,
  options: { system: System; settings: Settings; jobs: number; callSize?: number },
) {
  await ctx.db.reset();
  await ctx.begin();
  const { result, peakRssMiB, child } = await runClient({
    system: options.system,
    settings: options.settings,
    url: ctx.net.url,
    role: 'bulk',
    jobs: options.jobs,
    ...(options.callSize === undefined ? {} : { callSize: options.callSize }),
  });
  ctx.watch('client', child.pid);
  await ctx.end();
  const seconds = Number(result.seconds);
  const table = await tableState(ctx.db.admin, options.system, options.jobs);
  const ids = await jobIds(ctx.db.admin, options.system);
  const problems: string[] = [];
  if (ids.length !== options.jobs || new Set(ids).size !== options.jobs) {
    problems.push(`${ids.length} rows (${new Set(ids).size} ids) for ${options.jobs} jobs`);
  }
  if (table.pending !== options.jobs) problems.push(`${table.pending} of ${options.jobs} queued`);
  return {
    jobs: options.jobs,
    calls: Number(result.calls),
    seconds,
    jobsPerSecond: options.jobs / seconds,
    clientPeakRssMiB: peakRssMiB,
    problems,
  };
}

/**
 * Drain: `jobs` queued no-op jobs (enqueued by the system's batch API, not timed), then one
 * worker process at `concurrency`. Timed from its handler's first call to the moment the
 * table shows no job left (polled every 20 ms with a query that stops at the first pending job). Stops at `maxSeconds` and reports the rate
 * so far when the system is slower than that (marked partial).
 */
export async function runDrain(
  ctx: CaseContext,
  options: {
    system: System;
    settings: Settings;
    jobs: number;
    concurrency: number;
    maxSeconds: number;
    /** Runs after the jobs are in, before the worker starts (to set limits, say). */
    prepare?: (schema: string) => Promise<void>;
    /**
     * Ours only: the worker counts into its Prometheus metrics, and a scraper reads them every
     * `scrapeMs` (default 1 s, harsher than Prometheus's usual 15 to 60 s) during the drain.
     */
    metrics?: { readonly scrapeMs?: number };
  },
) {
  const { system } = options;
  await ctx.db.reset();
  await runClient({
    system,
    settings: options.settings,
    url: ctx.net.url,
    role: 'bulk',
    jobs: options.jobs,
  });
  const schema = schemaOf(system);
  await options.prepare?.(schema);
  await analyzeSchema(ctx, schema);
  const expectedIds = await jobIds(ctx.db.admin, system);
  await statsSettle();
  const before = await readCounters(ctx.db.admin, ctx.db.database, schema);
  const dir = await scratchDir();
  let worker: RunningWorker | null = null;
  try {
    await ctx.begin();
    worker = await startWorker({
      system,
      settings: options.settings,
      url: ctx.net.url,
      concurrency: options.concurrency,
      dir: dir.path,
      metrics: options.metrics !== undefined,
    });
    ctx.watch('worker', worker.child.pid);
    const scraper = options.metrics === undefined ? null : scrape(worker, options.metrics.scrapeMs);
    const deadline = wallClockMs() + options.maxSeconds * 1000;
    let end = 0;
    let partial = false;
    let polls = 0;
    for (;;) {
      polls += 1;
      if (!(await anyPending(ctx.db.poller, system))) {
        end = wallClockMs();
        break;
      }
      if (wallClockMs() > deadline) {
        end = wallClockMs();
        partial = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const scraped = await scraper?.stop();
    const running = worker;
    worker = null;
    const { exitCode, executions } = await running.stop();
    const { cpu } = await ctx.end();
    await statsSettle();
    const after = await readCounters(ctx.db.admin, ctx.db.database, schema);
    const table = await tableState(ctx.db.admin, system, expectedIds.length);
    const problems = checkExactlyOnce({ expectedIds, executions, table, partial });
    if (exitCode !== 0) problems.push(`worker exited with ${exitCode}: ${running.child.stderr()}`);
    const done = executions?.starts.length ?? 0;
    if (scraped !== undefined) {
      // The last scrape saw every start the handler recorded (it ran after the drain).
      if (scraped.failures > 0) problems.push(`${scraped.failures} metrics scrape(s) failed`);
      if (scraped.lastStarted !== done) {
        problems.push(`metrics counted ${scraped.lastStarted} starts, the handler ran ${done}`);
      }
    }
    const seconds = executions === null ? Number.NaN : (end - executions.first) / 1000;
    const workerCpu = cpu.watched.worker ?? Number.NaN;
    return {
      jobs: options.jobs,
      done,
      partial,
      seconds,
      jobsPerSecond: done / seconds,
      ...(scraped === undefined ? {} : { scrapes: scraped.scrapes }),
      peakRssMiB: running.child.peakRssMiB(),
      workerCpuMsPerJob: (workerCpu * 1000) / Math.max(1, done),
      postgresCpuMsPerJob: (cpu.postgres * 1000) / Math.max(1, done),
      // The harness's own polls are transactions in the same database: not the contender's.
      ...perJob(before, { ...after, xacts: after.xacts - polls }, Math.max(1, done)),
      problems,
    };
  } finally {
    if (worker !== null) await worker.stop();
    await dir.remove();
  }
}

/**
 * Enqueue-to-start latency: an idle worker process; a client process enqueues `jobs` jobs one
 * at a time at `rate` per second, noting the wall clock just before each call; the handler
 * notes the wall clock when it starts the job. Same machine, same clock.
 */
export async function runLatency(
  ctx: CaseContext,
  options: { system: System; settings: Settings; jobs: number; rate: number; concurrency: number },
) {
  const { system } = options;
  await ctx.db.reset();
  const dir = await scratchDir();
  let worker: RunningWorker | null = null;
  try {
    worker = await startWorker({
      system,
      settings: options.settings,
      url: ctx.net.url,
      concurrency: options.concurrency,
      dir: dir.path,
    });
    // Let it settle into idle (first polls, schema checks) before the first job.
    await new Promise((r) => setTimeout(r, 1000));
    await ctx.begin();
    ctx.watch('worker', worker.child.pid);
    const out = join(dir.path, 'sent.json');
    await runClient({
      system,
      settings: options.settings,
      url: ctx.net.url,
      role: 'trickle',
      jobs: options.jobs,
      rate: options.rate,
      out,
    });
    const deadline = wallClockMs() + 60_000;
    let partial = false;
    while (await anyPending(ctx.db.poller, system)) {
      if (wallClockMs() > deadline) {
        partial = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await ctx.end();
    const running = worker;
    worker = null;
    const { exitCode, executions } = await running.stop();
    const sent = JSON.parse(await readFile(out, 'utf8')) as [string, number, number][];
    const table = await tableState(ctx.db.admin, system, sent.length);
    const problems = checkExactlyOnce({
      expectedIds: sent.map(([id]) => id),
      executions,
      table,
      partial,
    });
    if (partial) problems.push('jobs still pending a minute after the last enqueue');
    if (exitCode !== 0) problems.push(`worker exited with ${exitCode}: ${running.child.stderr()}`);
    const starts = new Map(executions?.starts ?? []);
    const samples: number[] = [];
    // Where the time goes: the enqueue call itself, and from its answer to the handler's start.
    const calls: number[] = [];
    const afterCall: number[] = [];
    for (const [id, at, answered] of sent) {
      calls.push(answered - at);
      const started = starts.get(id);
      if (started === undefined) continue;
      samples.push(started - at);
      afterCall.push(started - answered);
    }
    const call = summarize(calls);
    const after = summarize(afterCall);
    return {
      jobs: sent.length,
      rate: options.rate,
      ...summarize(samples),
      callP50: call.p50,
      callP99: call.p99,
      afterCallP50: after.p50,
      afterCallP99: after.p99,
      problems,
    };
  } finally {
    if (worker !== null) await worker.stop();
    await dir.remove();
  }
}

/**
 * Reads a worker's /metrics every `intervalMs` until stopped, then once more; reports how many
 * scrapes were made, how many failed, and the started-jobs total of the last one.
 */
function scrape(worker: RunningWorker, intervalMs = 1000) {
  const url = worker.metricsUrl;
  let scrapes = 0;
  let failures = 0;
  let lastStarted = Number.NaN;
  const once = async () => {
    try {
      if (url === null) throw new Error('the worker serves no metrics');
      const text = await (await fetch(url)).text();
      scrapes += 1;
      lastStarted = text
        .split('\n')
        .filter((line) => line.startsWith('jobs_worker_started_total{'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    } catch {
      failures += 1;
    }
  };
  const timer = setInterval(() => void once(), intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await once();
      return { scrapes, failures, lastStarted };
    },
  };
}
