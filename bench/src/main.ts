// `pnpm bench`: this project against graphile-worker and pg-boss on the same PostgreSQL, in
// one run: bulk enqueue, drain at concurrency 16 and 64 (default and fastest documented
// settings), enqueue-to-start latency, the pgbench ceiling of this project's bare claim +
// complete statements, the store-level ceiling, and the HTTP API (enqueue rate, list latency
// with EXPLAIN on a large table). Prints a table with this project's ratio to the best peer
// and writes everything to bench/results/<time>.json. `--help` lists the flags.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { LIST_FILTERS, prepareApiList, runApiEnqueue, runApiList } from './cases/api.js';
import { runCeiling } from './cases/ceiling.js';
import { runBulkEnqueue, runDrain, runLatency } from './cases/contenders.js';
import { ENQUEUE_TX_VARIANTS, runEnqueueTx } from './cases/enqueue-tx.js';
import { FLOW_VARIANTS, runFlow } from './cases/flow.js';
import { INDEX_VARIANTS, runInsertCost } from './cases/index-cost.js';
import { findPgbench, runPgbench } from './cases/pgbench.js';
import { runSoak, writeSoakResults } from './cases/soak.js';
import {
  COMPLETED_JOBS,
  FAST_PREFETCH,
  graphileFastPreset,
  PGBOSS_FAST_BATCH,
  PGBOSS_FAST_POLLING_SECONDS,
  PGBOSS_FAST_WORKERS,
  type Settings,
  SYSTEMS,
  type System,
} from './contenders/settings.js';
import { type CaseOutcome, measured } from './context.js';
import { openBenchDatabase } from './database.js';
import { DISTURBANCE_THRESHOLD_CORES, load1 } from './machine.js';
import { type CaseRecord, renderTable } from './report.js';

const CASES = [
  'enqueue',
  'enqueue-tx',
  'drain',
  'drain-limited',
  'latency',
  'ceiling',
  'index-cost',
  'store',
  'api-enqueue',
  'api-list',
  'soak',
  'metrics-cost',
  'flow',
] as const;
type CaseName = (typeof CASES)[number];
/** Cases left out unless named in --only (the soak takes 10 minutes). */
const ON_REQUEST: readonly CaseName[] = ['soak'];

const HELP = `pnpm bench [-- flags]
  --only a,b            cases to run (default all): ${CASES.join(', ')}
                        (ceiling = pgbench of the bare statements; store = the same in Node;
                        index-cost = the ceiling and a bulk insert with list indexes dropped;
                        enqueue-tx = 1 job per call, plain and inside a caller transaction;
                        metrics-cost = our drain at concurrency 16 with metrics off and on, 3 each)
  --systems a,b         contenders (default all): ${SYSTEMS.join(', ')}
                        (drain-limited = ours only: one queue limited to concurrency 8 across
                        workers, and jobs spread over 1,000 concurrency keys)
  --jobs N              jobs per bulk enqueue, drain and ceiling (default 50000)
  --concurrency a,b     drain concurrencies (default 16,64)
  --tx-calls N          measured calls of each enqueue-tx variant (default 2000)
  --latency-jobs N      jobs of the latency case, one at a time at 100/s (default 500)
  --drain-max-seconds N stop a drain after N s and report its rate so far (default 60)
  --list-rows N         jobs in the table for the list latency case (default 1000000)
  --list-requests N     measured requests per list filter (default 200)
  --api-seconds N       seconds of each API enqueue run (default 10)
  --soak-minutes N      length of the soak (default 10; --quick 4); the soak runs only when named:
                        --only soak (retention 1 min, enqueue+drain at half a calibrated rate)
  --soak-rate N         jobs/s of the soak instead of calibrating
  --flow-children N     children of the fan-out/fan-in flow case, 1 → N → 1 (default 10000)
  --quick               smoke run: 5000 jobs, 300 enqueue-tx calls, 100 latency jobs, 100000 list rows, 50 list
                        requests, 3 s API runs, drains stopped after 15 s
Database: BENCH_DATABASE_URL or DATABASE_URL, else 127.0.0.1:5432 (database jobs_bench,
created when missing), else the embedded server.`;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    systems: { type: 'string' },
    jobs: { type: 'string' },
    concurrency: { type: 'string' },
    'tx-calls': { type: 'string' },
    'latency-jobs': { type: 'string' },
    'drain-max-seconds': { type: 'string' },
    'list-rows': { type: 'string' },
    'list-requests': { type: 'string' },
    'api-seconds': { type: 'string' },
    'soak-minutes': { type: 'string' },
    'soak-rate': { type: 'string' },
    'flow-children': { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

function count(name: string, given: string | undefined, full: number, quick: number): number {
  const value = given === undefined ? (values.quick ? quick : full) : Number(given);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}
function list<T extends string>(name: string, given: string | undefined, all: readonly T[]): T[] {
  if (given === undefined) return [...all];
  const picked = given.split(',').map((s) => s.trim());
  for (const p of picked) {
    if (!all.includes(p as T)) throw new Error(`--${name}: "${p}" is not one of ${all.join(', ')}`);
  }
  return picked as T[];
}

const jobs = count('jobs', values.jobs, 50_000, 5_000);
const txCalls = count('tx-calls', values['tx-calls'], 2_000, 300);
const latencyJobs = count('latency-jobs', values['latency-jobs'], 500, 100);
const drainMaxSeconds = count('drain-max-seconds', values['drain-max-seconds'], 60, 15);
const listRows = count('list-rows', values['list-rows'], 1_000_000, 100_000);
const listRequests = count('list-requests', values['list-requests'], 200, 50);
const apiSeconds = count('api-seconds', values['api-seconds'], 10, 3);
const flowChildren = count('flow-children', values['flow-children'], 10_000, 1_000);
const concurrencies = (values.concurrency ?? '16,64').split(',').map((c) => {
  const n = Number(c);
  if (!Number.isInteger(n) || n <= 0) throw new Error('--concurrency must list positive integers');
  return n;
});
const only = new Set<CaseName>(
  list(
    'only',
    values.only,
    values.only === undefined ? CASES.filter((c) => !ON_REQUEST.includes(c)) : CASES,
  ),
);
const soakMinutes = count('soak-minutes', values['soak-minutes'], 10, 4);
const soakRate =
  values['soak-rate'] === undefined ? undefined : count('soak-rate', values['soak-rate'], 1, 1);
const systems = list<System>('systems', values.systems, SYSTEMS);
const SETTINGS: Settings[] = ['default', 'fast'];

const out = (line: string) => process.stdout.write(`${line}\n`);
const db = await openBenchDatabase();
const records: CaseRecord[] = [];
const startedAt = new Date();

async function record<T extends CaseOutcome>(
  base: Omit<CaseRecord, 'outcome' | 'load' | 'cpu' | 'runs'>,
  run: Parameters<typeof measured<T>>[2],
): Promise<void> {
  try {
    const m = await measured(db, base.label, run, out);
    const rec: CaseRecord = {
      ...base,
      outcome: m.outcome as unknown as CaseRecord['outcome'],
      load: m.load,
      cpu: m.cpu,
      runs: m.runs,
    };
    records.push(rec);
    const { text } = renderTable([rec]);
    out(`  ${text.split('\n')[2]}`);
  } catch (error) {
    out(`  ${base.label} [${base.contender} ${base.settings}] FAILED: ${String(error)}`);
    records.push({
      ...base,
      outcome: { problems: [`failed: ${String(error)}`] },
      load: {
        loadavgStart: load1(),
        loadavgEnd: load1(),
        cpuBusy: Number.NaN,
        benchCores: Number.NaN,
        externalCores: Number.NaN,
        unattributedCores: Number.NaN,
        topExternal: [],
        disturbed: false,
      },
      cpu: { watched: {}, postgres: Number.NaN },
      runs: 1,
    });
  }
}

out(`database: ${db.label}`);
out(
  `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${load1()}`,
);
out(
  `a case is re-run (up to 2 more times) when processes outside the benchmark use more than ${DISTURBANCE_THRESHOLD_CORES} cores on average while it is measured`,
);
const SETTINGS_TEXT = {
  ours: `fast = worker --change-events off --prefetch ${FAST_PREFETCH} (and the client pool with change events off)`,
  'graphile-worker': `fast = ${JSON.stringify(graphileFastPreset(64).worker)} (maxPoolSize: concurrency + 2, 10..30)`,
  'pg-boss': `default = work() called <concurrency> times (batchSize 1, polling 2 s); fast = ${PGBOSS_FAST_WORKERS} x work({ batchSize: ${PGBOSS_FAST_BATCH}, pollingIntervalSeconds: ${PGBOSS_FAST_POLLING_SECONDS} }), handlers limited to <concurrency> at once`,
};
for (const system of systems) {
  out(`${system}: ${SETTINGS_TEXT[system]}; completed jobs: ${COMPLETED_JOBS[system]}`);
}
try {
  if (only.has('enqueue')) {
    out(`\nbulk enqueue of ${jobs} jobs, each system's batch API in one call, fresh process`);
    for (const system of systems) {
      for (const settings of system === 'ours' ? SETTINGS : (['default'] as Settings[])) {
        await record(
          { group: 'enqueue', label: `bulk enqueue ${jobs}`, contender: system, settings },
          (ctx) => runBulkEnqueue(ctx, { system, settings, jobs }),
        );
      }
    }
  }
  if (only.has('enqueue-tx')) {
    out(
      `\nenqueue 1 job per call, ${txCalls} calls one at a time: on the client's pool, and inside a caller's postgres-js transaction (the enqueue call alone; the whole transaction in the JSON)`,
    );
    for (const variant of ENQUEUE_TX_VARIANTS) {
      await record(
        {
          group: 'enqueue-tx',
          label:
            variant === 'plain' ? 'enqueue 1 job' : 'enqueue 1 job inside a caller transaction',
          contender: 'ours',
          settings: 'default',
        },
        (ctx) => runEnqueueTx(ctx, { variant, calls: txCalls }),
      );
    }
  }
  if (only.has('drain')) {
    for (const concurrency of concurrencies) {
      out(`\ndrain of ${jobs} queued no-op jobs, one worker process, concurrency ${concurrency}`);
      for (const system of systems) {
        for (const settings of SETTINGS) {
          await record(
            {
              group: `drain c${concurrency}`,
              label: `drain ${jobs}, concurrency ${concurrency}`,
              contender: system,
              settings,
            },
            (ctx) =>
              runDrain(ctx, { system, settings, jobs, concurrency, maxSeconds: drainMaxSeconds }),
          );
        }
      }
    }
  }
  if (only.has('drain-limited') && systems.includes('ours')) {
    const concurrency = 16;
    out(
      `\ndrain of ${jobs} no-op jobs under limits across workers, ours, concurrency ${concurrency}`,
    );
    const variants = [
      {
        label: 'queue concurrency 8',
        sql: (schema: string) =>
          `INSERT INTO "${schema}".job_queues (name, concurrency) VALUES ('default', 8)
           ON CONFLICT (name) DO UPDATE SET concurrency = 8`,
      },
      {
        label: '1,000 concurrency keys',
        sql: (schema: string) => `UPDATE "${schema}".jobs SET concurrency_key = 'k' || (id % 1000)`,
      },
    ];
    for (const variant of variants) {
      await record(
        {
          group: 'drain limited',
          label: `drain ${jobs}, c${concurrency}, ${variant.label}`,
          contender: 'ours',
          settings: 'default',
        },
        (ctx) =>
          runDrain(ctx, {
            system: 'ours',
            settings: 'default',
            jobs,
            concurrency,
            maxSeconds: drainMaxSeconds,
            prepare: async (schema) => {
              await ctx.db.admin.unsafe(variant.sql(schema));
            },
          }),
      );
    }
  }
  if (only.has('metrics-cost')) {
    out(
      `\ncost of metrics: drain of ${jobs} jobs, concurrency 16, metrics off and on (scraped every second), alternating`,
    );
    for (let round = 1; round <= 3; round += 1) {
      for (const metrics of [false, true]) {
        await record(
          {
            group: 'metrics-cost',
            label: `drain ${jobs}, c16, metrics ${metrics ? 'on' : 'off'} (${round})`,
            contender: 'ours',
            settings: 'default',
          },
          (ctx) =>
            runDrain(ctx, {
              system: 'ours',
              settings: 'default',
              jobs,
              concurrency: 16,
              maxSeconds: drainMaxSeconds,
              ...(metrics ? { metrics: {} } : {}),
            }),
        );
      }
    }
    const rates = (on: boolean) =>
      records
        .filter((r) => r.group === 'metrics-cost' && r.label.includes(on ? 'on (' : 'off ('))
        .map((r) => Number(r.outcome.jobsPerSecond));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(rates(true)) / mean(rates(false));
    out(
      `  metrics on / off, mean jobs/s: ${ratio.toFixed(3)} (target at least 0.95: ${ratio >= 0.95 ? 'met' : 'NOT met'})`,
    );
  }
  if (only.has('latency')) {
    out(
      `\nenqueue-to-start latency: ${latencyJobs} jobs one at a time at 100/s, idle worker, concurrency 16`,
    );
    for (const system of systems) {
      for (const settings of SETTINGS) {
        await record(
          {
            group: 'latency',
            label: `latency ${latencyJobs} at 100/s`,
            contender: system,
            settings,
          },
          (ctx) =>
            runLatency(ctx, { system, settings, jobs: latencyJobs, rate: 100, concurrency: 16 }),
        );
      }
    }
  }
  if (only.has('ceiling')) {
    const pgbench = await findPgbench();
    if ('missing' in pgbench) {
      out(`\nceiling: skipped: ${pgbench.missing}`);
    } else {
      out(`\nceiling: pgbench runs this project's claim + complete statements, batch 64`);
      for (const clients of [1, 4]) {
        await record(
          {
            group: 'ceiling',
            label: `pgbench claim+complete, ${clients} client(s)`,
            contender: 'pgbench',
            settings: '-',
          },
          (ctx) => runPgbench(ctx, { pgbench: pgbench.path, jobs, batch: 64, clients }),
        );
      }
    }
  }
  if (only.has('index-cost')) {
    const pgbench = await findPgbench();
    out(
      '\nindex cost: the pgbench lifecycle (1 client) and a bulk insert through the store, with list indexes dropped (a measurement for the design, not a setting)',
    );
    for (const variant of INDEX_VARIANTS) {
      if (!('missing' in pgbench)) {
        await record(
          {
            group: 'index-cost-ceiling',
            label: `index cost: pgbench claim+complete, ${variant.name}`,
            contender: 'pgbench',
            settings: '-',
          },
          (ctx) =>
            runPgbench(ctx, {
              pgbench: pgbench.path,
              jobs,
              batch: 64,
              clients: 1,
              dropIndexes: variant.drop,
            }),
        );
      }
      await record(
        {
          group: 'index-cost-insert',
          label: `index cost: insert ${jobs} through the store, ${variant.name}`,
          contender: 'store',
          settings: '-',
        },
        (ctx) => runInsertCost(ctx, { jobs, drop: variant.drop }),
      );
    }
  }
  if (only.has('store')) {
    out(`\nstore-level ceiling: the same statements through the store in Node, batch 64`);
    for (const loops of [1, 4]) {
      await record(
        {
          group: 'store',
          label: `store claim+complete, ${loops} connection(s)`,
          contender: 'store',
          settings: '-',
        },
        (ctx) => runCeiling(ctx, { jobs, batch: 64, loops }),
      );
    }
  }
  if (only.has('api-enqueue')) {
    out(`\nAPI enqueue rate: autocannon against the API in its own process, ${apiSeconds} s each`);
    for (const [perRequest, connections] of [
      [1, 16],
      [100, 8],
    ] as const) {
      await record(
        {
          group: 'api-enqueue',
          label:
            perRequest === 1 ? 'POST /api/jobs' : `POST /api/jobs/batch (${perRequest}/request)`,
          contender: 'api',
          settings: 'default',
        },
        (ctx) => runApiEnqueue(ctx, { perRequest, seconds: apiSeconds, connections }),
      );
    }
  }
  if (only.has('flow')) {
    out(
      `\nflow: 1 → ${flowChildren} → 1 (fan-out, fan-in) beside ${flowChildren + 2} plain jobs, one worker process, concurrency 16`,
    );
    for (const variant of FLOW_VARIANTS) {
      for (const settings of SETTINGS) {
        await record(
          {
            group: `flow ${settings}`,
            label:
              variant === 'flow'
                ? `flow 1 → ${flowChildren} → 1`
                : `${flowChildren + 2} plain jobs (no dependencies)`,
            contender: 'ours',
            settings,
          },
          (ctx) => runFlow(ctx, { variant, children: flowChildren, concurrency: 16, settings }),
        );
      }
    }
  }
  if (only.has('api-list')) {
    out(`\nAPI list latency: GET /api/jobs first pages with ${listRows} jobs in the table`);
    const fillSeconds = await prepareApiList(db, listRows);
    out(
      `  filled ${listRows} jobs with one INSERT ... SELECT generate_series + ANALYZE in ${fillSeconds.toFixed(1)} s`,
    );
    await record(
      {
        group: 'api-list',
        label: `GET /api/jobs, ${listRows} rows`,
        contender: 'api',
        settings: 'default',
      },
      (ctx) => runApiList(ctx, { rows: listRows, requests: listRequests, fillSeconds }),
    );
  }
  if (only.has('soak')) {
    out(
      `\nsoak: ${soakMinutes} min of enqueue + drain (worker concurrency 16, in-process) with completed jobs kept 1 min; a sample every 10 s`,
    );
    const soak = await runSoak(
      db,
      {
        seconds: soakMinutes * 60,
        rate: soakRate,
        retentionMs: 60_000,
        sampleSeconds: 10,
        pruneSeconds: 10,
      },
      out,
    );
    const files = await writeSoakResults(soak, startedAt);
    out(`  rate ${soak.rate} jobs/s; after the first 3 min, each minute against the third minute:`);
    for (const c of soak.checks) {
      out(
        `  ${c.metric} (${c.summary}): reference ${c.reference}, minutes ${c.minutes.join(', ')}; worst ${(c.worstDeviation * 100).toFixed(1)} % -> ${c.pass ? 'flat (pass)' : 'NOT flat (fail)'}`,
      );
    }
    out(`  soak ${soak.pass ? 'PASSED' : 'FAILED'}; series ${files.json}; chart ${files.svg}`);
  }
} finally {
  await db.clear().catch(() => {});
  await db.close();
}

const { text, rows } = renderTable(records);
out(`\n${text}`);
for (const r of records) {
  const pages = r.outcome.pages as
    | {
        filter: string;
        p50: number;
        p95: number;
        p99: number;
        indexBacked: boolean;
        p95Under20ms: boolean;
        statementsPerRequest: number;
        plans: { text: string; indexes: string[]; sortedRows: number }[];
      }[]
    | undefined;
  if (pages === undefined) continue;
  out(
    `\nGET /api/jobs with ${String(r.outcome.rows)} rows (first page, ${LIST_FILTERS.length} filters):`,
  );
  for (const p of pages) {
    out(
      `  ${p.filter}: p50/p95/p99 ${p.p50.toFixed(1)}/${p.p95.toFixed(1)}/${p.p99.toFixed(1)} ms; ` +
        `index-backed: ${p.indexBacked ? 'yes' : 'NO'} (${p.plans.flatMap((x) => x.indexes).join(', ') || 'no index'}); ` +
        `p95 < 20 ms: ${p.p95Under20ms ? 'yes' : 'NO'}; ${p.statementsPerRequest} statement(s)/request`,
    );
    for (const plan of p.plans) out(plan.text.replace(/^/gm, '      '));
  }
}
const dir = new URL('../results/', import.meta.url);
await mkdir(dir, { recursive: true });
const file = new URL(`${startedAt.toISOString().replace(/[:.]/g, '-')}.json`, dir);
await writeFile(
  file,
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      database: db.label,
      machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
      options: {
        jobs,
        latencyJobs,
        drainMaxSeconds,
        listRows,
        listRequests,
        apiSeconds,
        concurrencies,
        only: [...only],
        systems,
        quick: values.quick,
      },
      disturbanceThresholdCores: DISTURBANCE_THRESHOLD_CORES,
      settings: SETTINGS_TEXT,
      completedJobs: COMPLETED_JOBS,
      table: rows,
      cases: records,
    },
    null,
    2,
  )}\n`,
);
out(`\nwritten: ${file.pathname}`);
const failed = records.filter((r) => r.outcome.problems.length > 0).length;
if (failed > 0) out(`${failed} case(s) reported problems (see "check")`);
