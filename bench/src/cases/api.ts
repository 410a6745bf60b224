import { fileURLToPath } from 'node:url';
import { createClient } from '@jobs/core';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { scratchDir } from '../contenders/systems.js';
import type { CaseContext } from '../context.js';
import { BENCH_SCHEMA, type BenchDatabase } from '../database.js';
import { handlers } from '../handlers.js';
import { type Child, spawnNode } from '../processes.js';
import { summarize } from '../stats.js';

const API_SERVER = fileURLToPath(new URL('../api-server.js', import.meta.url));

/** Starts the API in its own process on a free loopback port. */
async function startApi(url: string, cwd: string): Promise<{ child: Child; base: string }> {
  const child = spawnNode('api server', API_SERVER, [url], { ipc: true, cwd });
  const ready = await child.message<{ url: string }>('ready');
  return { child, base: ready.url };
}

async function countJobs(ctx: CaseContext): Promise<number> {
  const sql = ctx.db.admin;
  const [row] = await sql<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM ${sql(BENCH_SCHEMA)}.jobs`;
  return row?.n ?? 0;
}

/**
 * Enqueue rate through the API: autocannon (in the harness process) against the API server
 * (its own process), POST /api/jobs with one job or /api/jobs/batch with `perRequest` jobs.
 * Every 201 must have stored its jobs: the table's growth is checked against the answers.
 */
export async function runApiEnqueue(
  ctx: CaseContext,
  options: { perRequest: number; seconds: number; connections: number },
) {
  await ctx.db.reset();
  const dir = await scratchDir();
  const { child, base } = await startApi(ctx.db.url, dir.path);
  try {
    const job = { handler: 'bench', method: 'noop' };
    const single = options.perRequest === 1;
    const target = {
      url: `${base}${single ? '/api/jobs' : '/api/jobs/batch'}`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        single ? job : { jobs: Array.from({ length: options.perRequest }, () => job) },
      ),
      connections: options.connections,
    };
    await autocannon({ ...target, duration: 1 });
    // Let answers still in flight after the warm-up land before counting.
    await new Promise((r) => setTimeout(r, 500));
    const before = await countJobs(ctx);
    await ctx.begin();
    ctx.watch('api', child.pid);
    const result = await autocannon({ ...target, duration: options.seconds });
    const { cpu } = await ctx.end();
    await new Promise((r) => setTimeout(r, 500));
    const stored = (await countJobs(ctx)) - before;
    const ok = result['2xx'];
    const answered = ok * options.perRequest;
    // autocannon stops counting at the end of the duration: up to one request per connection
    // may still be stored without its answer being counted.
    const inFlight = stored - answered;
    const problems: string[] = [];
    if (result.errors > 0) problems.push(`${result.errors} connection errors`);
    if (result.timeouts > 0) problems.push(`${result.timeouts} timeouts`);
    if (result.non2xx > 0) problems.push(`${result.non2xx} answers not 2xx`);
    if (inFlight < 0 || inFlight > options.connections * options.perRequest) {
      problems.push(`${ok} requests answered 201 for ${answered} jobs, but ${stored} were stored`);
    }
    const requests = Math.max(1, ok);
    return {
      perRequest: options.perRequest,
      connections: options.connections,
      seconds: result.duration,
      requestsPerSecond: ok / result.duration,
      jobsPerSecond: answered / result.duration,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      storedAfterTheEnd: inFlight,
      apiCpuMsPerRequest: ((cpu.watched.api ?? Number.NaN) * 1000) / requests,
      postgresCpuMsPerRequest: (cpu.postgres * 1000) / requests,
      apiPeakRssMiB: child.peakRssMiB(),
      problems,
    };
  } finally {
    await child.stop();
    await dir.remove();
  }
}

/** First pages a dashboard asks for. */
export const LIST_FILTERS: readonly [string, string][] = [
  ['no filter', ''],
  ['state=failed', '?state=failed'],
  ['queue=emails', '?queue=emails'],
  ['handler+method', `?handler=${encodeURIComponent('App\\Services\\ReportBuilder')}&method=build`],
  ['state=failed&queue=webhooks', '?state=failed&queue=webhooks'],
];

/**
 * `rows` jobs in one INSERT ... SELECT generate_series: mostly finished history (95%
 * completed, 3% failed with 4 errors each, 2% cancelled) and, in the newest 2%, queued,
 * scheduled, running and retrying jobs; 4 queues of unequal size (55/25/12/8%), 5 handlers of
 * 3 methods, created 2 s apart. Then ANALYZE.
 */
async function fill(sql: postgres.Sql, rows: number): Promise<void> {
  const pick = (k: number, n: number) => `mod(hashint8(g * 7 + ${k}) & 2147483647, ${n})`;
  await sql.begin(async (tx) => {
    await tx`SET LOCAL jobs.change_events = 'off'`;
    await tx.unsafe(
      `INSERT INTO jobs (queue, handler, method, params, priority, state, attempt, max_attempts,
                         run_at, created_at, started_at, finished_at, lease_owner,
                         lease_expires_at, errors, backoff)
       SELECT q.queue, h.handler, h.method, jsonb_build_array(g, 'user-' || (g % 1000)),
              CASE WHEN ${pick(1, 20)} = 0 THEN 10 ELSE 0 END,
              s.state,
              CASE s.state WHEN 'completed' THEN 1 WHEN 'failed' THEN 4 WHEN 'running' THEN 1
                           WHEN 'retrying' THEN 1 ELSE 0 END,
              4,
              CASE s.state WHEN 'scheduled' THEN now() + interval '1 hour' + g * interval '1 second'
                           WHEN 'retrying' THEN now() + interval '30 seconds' ELSE c.created END,
              c.created,
              CASE WHEN s.state IN ('completed', 'failed', 'running', 'retrying')
                   THEN c.created + interval '1 second' END,
              CASE WHEN s.state IN ('completed', 'failed', 'cancelled')
                   THEN c.created + interval '2 seconds' END,
              CASE WHEN s.state = 'running' THEN 'bench-filler' END,
              CASE WHEN s.state = 'running' THEN now() + interval '1 day' END,
              CASE s.state
                WHEN 'failed' THEN (SELECT jsonb_agg(jsonb_build_object(
                  'message', 'connect ECONNREFUSED 127.0.0.1:6379', 'name', 'Error',
                  'stack', E'Error: connect ECONNREFUSED 127.0.0.1:6379\\n    at TCPConnectWrap.afterConnect',
                  'at', c.created + n * interval '1 second')) FROM generate_series(1, 4) n)
                WHEN 'retrying' THEN jsonb_build_array(jsonb_build_object(
                  'message', 'timeout after 30000 ms', 'name', 'TimeoutError',
                  'stack', 'TimeoutError: timeout after 30000 ms', 'at', c.created))
                ELSE '[]'::jsonb END,
              $2::jsonb
         FROM generate_series(1::bigint, $1::bigint) g
        CROSS JOIN LATERAL (SELECT now() - ($1::bigint - g) * interval '2 seconds' AS created) c
        CROSS JOIN LATERAL (SELECT CASE
          WHEN g > $1::bigint * 0.98 THEN (CASE ${pick(2, 10)}
            WHEN 0 THEN 'running' WHEN 1 THEN 'retrying' WHEN 2 THEN 'scheduled'
            WHEN 3 THEN 'scheduled' ELSE 'queued' END)
          ELSE (CASE WHEN ${pick(3, 100)} < 3 THEN 'failed'
                     WHEN ${pick(3, 100)} < 5 THEN 'cancelled' ELSE 'completed' END)
          END AS state) s
        CROSS JOIN LATERAL (SELECT CASE
          WHEN ${pick(4, 100)} < 55 THEN 'default' WHEN ${pick(4, 100)} < 80 THEN 'emails'
          WHEN ${pick(4, 100)} < 92 THEN 'reports' ELSE 'webhooks' END AS queue) q
        CROSS JOIN LATERAL (SELECT
          (ARRAY['App\\Services\\Mailer', 'App\\Services\\ReportBuilder',
                 'App\\Services\\ImageResizer', 'App\\Jobs\\SyncInventory',
                 'App\\Jobs\\WebhookDispatcher'])[1 + ${pick(5, 5)}] AS handler,
          (ARRAY['handle', 'send', 'build'])[1 + ${pick(6, 3)}] AS method) h`,
      [rows, sample.backoff],
    );
  });
  await sql`ANALYZE jobs`;
}

/** The retry policy a job enqueued through the client gets, to give filled rows the same. */
const sample = { backoff: '{}' };

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

/** What a plan says about reading the table: index-backed, or a scan / big sort. */
function judgePlan(root: PlanNode, tableRows: number) {
  const nodes = flatten(root);
  const seqScan = nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'jobs');
  const sortedRows = Math.max(
    0,
    ...nodes
      .filter((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Incremental Sort')
      .map((n) => (n.Plans?.[0]?.['Actual Rows'] ?? 0) * (n.Plans?.[0]?.['Actual Loops'] ?? 1)),
  );
  const bigSort = sortedRows >= tableRows / 100;
  const indexes = [
    ...new Set(nodes.map((n) => n['Index Name']).filter((x): x is string => x !== undefined)),
  ];
  return { seqScan, sortedRows, bigSort, indexBacked: !seqScan && !bigSort, indexes };
}

/**
 * Fills the bench schema with `rows` jobs for `runApiList` (once: re-runs of the measured
 * part reuse the table). Returns the seconds the INSERT and ANALYZE took.
 */
export async function prepareApiList(db: BenchDatabase, rows: number): Promise<number> {
  const store = await db.reset();
  const probe = await createClient(store, handlers).enqueue('bench', 'noop', []);
  sample.backoff = JSON.stringify(probe.backoff);
  await store.connection.sql`DELETE FROM jobs`;
  const started = performance.now();
  await fill(store.connection.sql, rows);
  return (performance.now() - started) / 1000;
}

/**
 * GET /api/jobs latency on the table `prepareApiList` filled: for each filter, `requests`
 * first pages one after another over keep-alive (after 20 unmeasured ones), p50/p95/p99 as the
 * client sees them; and the EXPLAIN (ANALYZE, BUFFERS) of the very statement the API sent.
 */
export async function runApiList(
  ctx: CaseContext,
  options: { rows: number; requests: number; fillSeconds: number },
) {
  const fillSeconds = options.fillSeconds;
  const dir = await scratchDir();
  const { child, base } = await startApi(ctx.db.url, dir.path);
  const explain = postgres(ctx.db.url, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: BENCH_SCHEMA },
  });
  try {
    const get = async (query: string) => {
      const started = performance.now();
      const res = await fetch(`${base}/api/jobs${query}`);
      const body = await res.text();
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`GET /api/jobs${query}: ${res.status} ${body}`);
      return { ms, count: (JSON.parse(body) as { jobs: unknown[] }).jobs.length };
    };
    // One request first, so that the traces hold no connection set-up (type lookups).
    await get('');
    const statements = new Map<string, { text: string; params: unknown[] }[]>();
    for (const [name, query] of LIST_FILTERS) {
      child.forget('traced');
      child.send({ type: 'trace', on: true });
      await child.message('traced');
      await get(query);
      child.forget('statements');
      child.send({ type: 'dump' });
      const dump = await child.message<{ statements: { text: string; params: unknown[] }[] }>(
        'statements',
      );
      statements.set(name, dump.statements);
    }
    child.forget('traced');
    child.send({ type: 'trace', on: false });
    await child.message('traced');
    for (const [, query] of LIST_FILTERS) for (let i = 0; i < 20; i += 1) await get(query);
    await ctx.begin();
    ctx.watch('api', child.pid);
    const timings = new Map<string, { samples: number[]; count: number }>();
    for (const [name, query] of LIST_FILTERS) {
      const samples: number[] = [];
      let count = 0;
      for (let i = 0; i < options.requests; i += 1) {
        const r = await get(query);
        samples.push(r.ms);
        count = r.count;
      }
      timings.set(name, { samples, count });
    }
    await ctx.end();
    const problems: string[] = [];
    const pages = [];
    for (const [name, query] of LIST_FILTERS) {
      const sent = statements.get(name) ?? [];
      const list = sent.filter((s) => /from\s+"?jobs"?/i.test(s.text));
      const plans = [];
      for (const s of list) {
        const [jsonRow] = await explain.unsafe(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${s.text}`,
          s.params as never[],
        );
        const planned = jsonRow?.['QUERY PLAN'] as
          | [{ Plan: PlanNode; 'Execution Time': number }]
          | undefined;
        if (planned === undefined) throw new Error(`no plan for ${s.text}`);
        const plan = planned[0];
        const textRows = await explain.unsafe(
          `EXPLAIN (ANALYZE, BUFFERS) ${s.text}`,
          s.params as never[],
        );
        plans.push({
          sql: s.text,
          params: s.params,
          executionMs: plan['Execution Time'],
          ...judgePlan(plan.Plan, options.rows),
          text: textRows.map((r) => String(r['QUERY PLAN'])).join('\n'),
        });
      }
      const t = timings.get(name) ?? { samples: [], count: 0 };
      const stats = summarize(t.samples);
      const indexBacked = plans.length > 0 && plans.every((p) => p.indexBacked);
      const fast = stats.p95 < 20;
      if (plans.length === 0) problems.push(`${name}: no statement on jobs was captured`);
      if (!indexBacked) problems.push(`${name}: not index-backed`);
      if (!fast) problems.push(`${name}: p95 ${stats.p95.toFixed(1)} ms >= 20 ms`);
      pages.push({
        filter: name,
        query: `/api/jobs${query}`,
        pageSize: t.count,
        statementsPerRequest: sent.length,
        otherStatements: sent.filter((x) => !list.includes(x)).map((x) => x.text.slice(0, 200)),
        ...stats,
        indexBacked,
        p95Under20ms: fast,
        plans,
      });
    }
    return { rows: options.rows, fillSeconds, requests: options.requests, pages, problems };
  } finally {
    await explain.end();
    await child.stop();
    await dir.remove();
  }
}
