import { performance } from 'node:perf_hooks';
import { createClient } from '@jobs/core';
import { wallClockMs } from '../contenders/recorder.js';
import type { Settings } from '../contenders/settings.js';
import {
  checkExactlyOnce,
  jobIds,
  type RunningWorker,
  scratchDir,
  startWorker,
  tableState,
} from '../contenders/systems.js';
import type { CaseContext } from '../context.js';
import { BENCH_SCHEMA } from '../database.js';
import { handlers } from '../handlers.js';

/** A fan-out/fan-in flow (1 → `children` → 1), or the same number of plain jobs to compare. */
export const FLOW_VARIANTS = ['flow', 'plain'] as const;
export type FlowVariant = (typeof FLOW_VARIANTS)[number];

/**
 * Enqueues one flow of a root job, `children` jobs waiting for it and a sink waiting for all of
 * them (`plain`: as many jobs without dependencies), then runs one worker process until every
 * job is done. Reports jobs/s from the first start to the end, and for the flow the time from
 * the last child's completion to the sink's start, on the database's clock.
 */
export async function runFlow(
  ctx: CaseContext,
  options: { variant: FlowVariant; children: number; concurrency: number; settings: Settings },
) {
  const store = await ctx.db.reset();
  const client = createClient(store, handlers);
  const noop = { handler: 'bench', method: 'noop', params: [] };
  const keys = Array.from({ length: options.children }, (_, i) => `c${i}`);
  const total = options.children + 2;
  const enqueueStarted = performance.now();
  let sinkId: string | null = null;
  if (options.variant === 'flow') {
    const jobs: Record<string, unknown> = { root: noop };
    for (const key of keys) jobs[key] = { ...noop, dependsOn: ['root'] };
    jobs.sink = { ...noop, dependsOn: keys };
    const flow = await client.enqueueFlowUntyped({ jobs });
    sinkId = flow.jobs.sink?.id ?? null;
  } else {
    await client.enqueueManyUntyped(Array.from({ length: total }, () => noop));
  }
  const enqueueSeconds = (performance.now() - enqueueStarted) / 1000;
  await ctx.db.admin.unsafe(`ANALYZE ${BENCH_SCHEMA}.jobs`);
  const expectedIds = await jobIds(ctx.db.admin, 'ours');
  const dir = await scratchDir();
  let worker: RunningWorker | null = null;
  try {
    await ctx.begin();
    worker = await startWorker({
      system: 'ours',
      settings: options.settings,
      url: ctx.db.url,
      concurrency: options.concurrency,
      dir: dir.path,
    });
    ctx.watch('worker', worker.child.pid);
    const deadline = wallClockMs() + 300_000;
    let end = 0;
    for (;;) {
      const [row] = await ctx.db.poller<{ left: number }[]>`
        SELECT count(*)::int AS left FROM (
          SELECT 1 FROM ${ctx.db.poller(BENCH_SCHEMA)}.jobs
           WHERE state NOT IN ('completed', 'failed', 'cancelled') LIMIT 1) s`;
      if (row?.left === 0 || wallClockMs() > deadline) {
        end = wallClockMs();
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const running = worker;
    worker = null;
    const { exitCode, executions } = await running.stop();
    await ctx.end();
    const table = await tableState(ctx.db.admin, 'ours', expectedIds.length);
    const problems = checkExactlyOnce({ expectedIds, executions, table, partial: false });
    if (exitCode !== 0) problems.push(`worker exited with ${exitCode}: ${running.child.stderr()}`);
    let releaseMs: number | null = null;
    if (sinkId !== null) {
      const [timing] = await ctx.db.admin<{ ms: number | null; before: number }[]>`
        SELECT extract(epoch FROM s.started_at - max(c.finished_at)) * 1000 AS ms,
               count(*) FILTER (WHERE c.finished_at > s.started_at)::int AS before
          FROM ${ctx.db.admin(BENCH_SCHEMA)}.jobs s
          JOIN ${ctx.db.admin(BENCH_SCHEMA)}.job_dependencies d ON d.job_id = s.id
          JOIN ${ctx.db.admin(BENCH_SCHEMA)}.jobs c ON c.id = d.depends_on
         WHERE s.id = ${sinkId}
         GROUP BY s.started_at`;
      releaseMs = timing?.ms === null || timing?.ms === undefined ? null : Number(timing.ms);
      if ((timing?.before ?? 1) > 0) problems.push('the sink started before a child finished');
    }
    const done = executions?.starts.length ?? 0;
    const seconds = executions === null ? Number.NaN : (end - executions.first) / 1000;
    return {
      jobs: total,
      done,
      enqueueSeconds,
      seconds,
      jobsPerSecond: done / seconds,
      releaseMs,
      peakRssMiB: running.child.peakRssMiB(),
      problems,
    };
  } finally {
    if (worker !== null) await worker.stop();
    await dir.remove();
  }
}
