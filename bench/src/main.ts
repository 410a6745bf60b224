// `pnpm bench`: this project against graphile-worker and pg-boss on the same PostgreSQL, in
// one run: bulk enqueue, drain at concurrency 16 and 64 (default and fastest documented
// settings), enqueue-to-start latency, the pgbench ceiling of this project's bare claim +
// complete statements, the store-level ceiling, and the HTTP API (enqueue rate, list latency
// with EXPLAIN on a large table). Prints a table with this project's ratio to the best peer and
// a line per target of the issue (met / not met), and writes everything to
// bench/results/<time>.json, with a summary in bench/history/<time>.json. `--net-delay` runs the
// contender cases again through a proxy that delays every round trip; `--repeat` runs the
// selected cases several times in a row. `--help` lists the flags.
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
import {
  DISTURBANCE_THRESHOLD_CORES,
  hostProbeMs,
  hostSpeed,
  load1,
  SLOW_HOST_SPEED,
} from './machine.js';
import {
  directPath,
  type MeasuredDelay,
  measureDelay,
  type NetPath,
  openDelayedPath,
  tcpTarget,
} from './net/path.js';
import { type CaseRecord, renderTable } from './report.js';
import { medianRound } from './rounds.js';
import { writeSummary } from './summary.js';
import {
  ENQUEUE_CALL_SIZE,
  evaluateTargets,
  formatTarget,
  formatVerdict,
  groups,
  netGroup,
  overallVerdicts,
  type TargetLine,
} from './targets.js';

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
/** Cases of the three contenders, run once per --net-delay; every other case runs direct. */
const NET_CASES: readonly CaseName[] = ['enqueue', 'drain', 'latency'];

const HELP = `pnpm bench [-- flags]
  --only a,b            cases to run (default all): ${CASES.join(', ')}
                        (enqueue = bulk enqueue through each system's batch API, in one call
                        and in sequential calls of ${ENQUEUE_CALL_SIZE};
                        ceiling = pgbench of the bare statements; store = the same in Node;
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
  --ceiling-batch N     jobs per claim and per completion in the ceiling, store and index-cost
                        cases (default 64; a worker with --prefetch 500 claims a few hundred)
  --net-delay a,b       round trips in ms (default 0 = direct) to run enqueue, drain and latency
                        at, each through a proxy process that holds every chunk half of it each
                        way; the contenders' workers and clients connect through it, the bench's
                        own connections do not. What it really adds is measured and printed.
  --repeat N            run the selected cases N times in a row (default 1); each run prints
                        its target lines, the end a verdict per target (met only if met in
                        every run)
  --drain-rounds N      run each drain group N times, every contender and setting in turns,
                        and count each case's median round (default 1); the rates of all
                        rounds are printed and kept in the JSON
  --no-summary          write no summary into bench/history/ (the results JSON is still
                        written); for runs that are not meant to be quoted, such as A/B runs
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
    'ceiling-batch': { type: 'string' },
    'net-delay': { type: 'string' },
    repeat: { type: 'string' },
    'drain-rounds': { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-summary': { type: 'boolean', default: false },
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
const ceilingBatch = count('ceiling-batch', values['ceiling-batch'], 64, 64);
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
const netDelays = [
  ...new Set(
    (values['net-delay'] ?? '0').split(',').map((d) => {
      const n = Number(d.trim());
      if (d.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1000) {
        throw new Error(
          `--net-delay must list round trips in ms from 0 to 1000 (0 = direct), got "${d}"`,
        );
      }
      return n;
    }),
  ),
];
const repeat = count('repeat', values.repeat, 1, 1);
const drainRounds = count('drain-rounds', values['drain-rounds'], 1, 1);

const out = (line: string) => process.stdout.write(`${line}\n`);
const db = await openBenchDatabase();
const records: CaseRecord[] = [];
const startedAt = new Date();
/** The run of --repeat under way, and the path the contenders reach the server by now. */
let currentRun = 1;
let net: NetPath = directPath(db.url);
/** What each proxy really added, measured at the start of its block in each run. */
const delays: { run: number; delayMs: number; measured: MeasuredDelay }[] = [];
const targetsByRun: TargetLine[][] = [];

/** Measures one case and records it (printing its line). */
async function record<T extends CaseOutcome>(
  base: Omit<CaseRecord, 'outcome' | 'load' | 'cpu' | 'runs' | 'run' | 'net'>,
  run: Parameters<typeof measured<T>>[2],
): Promise<void> {
  const rec = await measureCase(base, run);
  records.push(rec);
  printRecord(rec);
}

function printRecord(rec: CaseRecord): void {
  if (rec.outcome.failure !== undefined) {
    out(`  ${rec.label} [${rec.contender} ${rec.settings}] FAILED: ${String(rec.outcome.failure)}`);
    return;
  }
  const { text } = renderTable([rec]);
  out(`  ${text.split('\n')[2]}`);
}

/** Measures one case; a case that throws becomes a record of its failure. */
async function measureCase<T extends CaseOutcome>(
  base: Omit<CaseRecord, 'outcome' | 'load' | 'cpu' | 'runs' | 'run' | 'net'>,
  run: Parameters<typeof measured<T>>[2],
): Promise<CaseRecord> {
  const path = { delayMs: net.delayMs, proxiedConnections: null };
  try {
    const before = await net.stats();
    const probeBefore = hostProbeMs();
    const m = await measured(db, base.label, run, out, net);
    const probeAfter = hostProbeMs();
    const after = await net.stats();
    const speed = hostSpeed(referenceProbeMs, probeBefore, probeAfter);
    if (speed < SLOW_HOST_SPEED) {
      out(
        `  ${base.label} [${base.contender} ${base.settings}]: the host ran at ${speed}x its speed at the start (a fixed piece of work took ${Math.round(Math.max(probeBefore, probeAfter))} ms, then ${Math.round(referenceProbeMs)}): compare it only with cases of the same speed`,
      );
    }
    const rec: CaseRecord = {
      ...base,
      outcome: m.outcome as unknown as CaseRecord['outcome'],
      load: m.load,
      cpu: m.cpu,
      runs: m.runs,
      run: currentRun,
      ...(Number.isFinite(speed) ? { hostSpeed: speed } : {}),
      net: {
        delayMs: net.delayMs,
        proxiedConnections:
          before === null || after === null ? null : after.connections - before.connections,
      },
    };
    return rec;
  } catch (error) {
    return {
      ...base,
      outcome: { problems: [`failed: ${String(error)}`], failure: String(error) },
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
      run: currentRun,
      net: path,
    };
  }
}

out(`database: ${db.label}`);
out(
  `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${load1()}`,
);
out(
  `a case is re-run (up to 2 more times) when processes outside the benchmark use more than ${DISTURBANCE_THRESHOLD_CORES} cores on average while it is measured`,
);
/** The host probe's time at the start (the least of five), the reference of every case's host speed. */
const referenceProbeMs = Math.min(...Array.from({ length: 5 }, () => hostProbeMs()));
out(
  `host probe: ${referenceProbeMs.toFixed(1)} ms now; each case's line gives the host's speed around it relative to this ("host 0.62x": the same work took 1.6 times as long), and says SLOW below ${SLOW_HOST_SPEED}x`,
);
const SETTINGS_TEXT = {
  ours: `fast = worker --change-events off --prefetch ${FAST_PREFETCH} (and the client pool with change events off)`,
  'graphile-worker': `fast = ${JSON.stringify(graphileFastPreset(64).worker)} (maxPoolSize: concurrency + 2, 10..30)`,
  'pg-boss': `default = work() called <concurrency> times (batchSize 1, polling 2 s); fast = ${PGBOSS_FAST_WORKERS} x work({ batchSize: ${PGBOSS_FAST_BATCH}, pollingIntervalSeconds: ${PGBOSS_FAST_POLLING_SECONDS} }), handlers limited to <concurrency> at once`,
};
for (const system of systems) {
  out(`${system}: ${SETTINGS_TEXT[system]}; completed jobs: ${COMPLETED_JOBS[system]}`);
}
// A database the proxy cannot reach (a socket folder) fails here, before any case runs.
if (netDelays.some((d) => d > 0)) tcpTarget(db.url);
const NETWORK_TEXT =
  netDelays.length === 1 && netDelays[0] === 0
    ? 'direct: every process connects to the server itself'
    : `enqueue, drain and latency at round trips +${netDelays.join(', +')} ms (0 = direct): each delay is a proxy process (Node net) holding every chunk half the round trip each way, order kept; the contenders' workers and clients connect through it, the bench's own admin and poller connections go straight to the server`;
out(`network: ${NETWORK_TEXT}`);

/** Bulk enqueue, drain and latency of every contender, their processes reaching the server by `net`. */
async function contenderCases(delayMs: number): Promise<void> {
  if (only.has('enqueue')) {
    for (const callSize of [null, ENQUEUE_CALL_SIZE]) {
      const shape = callSize === null ? 'in one call' : `in calls of ${callSize}`;
      out(
        `\nbulk enqueue of ${jobs} jobs, each system's batch API ${shape}${callSize === null ? '' : ' (one after another)'}, fresh process`,
      );
      for (const system of systems) {
        for (const settings of system === 'ours' ? SETTINGS : (['default'] as Settings[])) {
          await record(
            {
              group: groups.enqueue(callSize, delayMs),
              label: netGroup(`bulk enqueue ${jobs} ${shape}`, delayMs),
              contender: system,
              settings,
            },
            (ctx) =>
              runBulkEnqueue(ctx, {
                system,
                settings,
                jobs,
                ...(callSize === null ? {} : { callSize }),
              }),
          );
        }
      }
    }
  }
  if (only.has('drain')) {
    for (const concurrency of concurrencies) {
      out(
        `\ndrain of ${jobs} queued no-op jobs, one worker process, concurrency ${concurrency}` +
          (drainRounds > 1 ? `, ${drainRounds} rounds in turns (the median round counts)` : ''),
      );
      const rounds = new Map<string, CaseRecord[]>();
      for (let round = 1; round <= drainRounds; round += 1) {
        if (drainRounds > 1) out(`  round ${round} of ${drainRounds}:`);
        for (const system of systems) {
          for (const settings of SETTINGS) {
            const rec = await measureCase(
              {
                group: groups.drain(concurrency, delayMs),
                label: netGroup(`drain ${jobs}, concurrency ${concurrency}`, delayMs),
                contender: system,
                settings,
              },
              (ctx) =>
                runDrain(ctx, { system, settings, jobs, concurrency, maxSeconds: drainMaxSeconds }),
            );
            const key = `${system}|${settings}`;
            rounds.set(key, [...(rounds.get(key) ?? []), rec]);
            printRecord(rec);
          }
        }
      }
      if (drainRounds > 1) out('  the median rounds:');
      for (const recs of rounds.values()) {
        const rec = medianRound(recs);
        records.push(rec);
        if (drainRounds > 1) printRecord(rec);
      }
    }
  }
  if (only.has('latency')) {
    out(
      `\nenqueue-to-start latency: ${latencyJobs} jobs one at a time at 100/s, idle worker, concurrency 16`,
    );
    for (const system of systems) {
      for (const settings of SETTINGS) {
        await record(
          {
            group: groups.latency(delayMs),
            label: netGroup(`latency ${latencyJobs} at 100/s`, delayMs),
            contender: system,
            settings,
          },
          (ctx) =>
            runLatency(ctx, { system, settings, jobs: latencyJobs, rate: 100, concurrency: 16 }),
        );
      }
    }
  }
}

/** The contender cases once per --net-delay, each delay through its own proxy process. */
async function contenderCasesAtEveryDelay(): Promise<void> {
  if (!NET_CASES.some((c) => only.has(c))) return;
  for (const delayMs of netDelays) {
    net = await openDelayedPath(db.url, delayMs);
    try {
      if (delayMs === 0) {
        if (netDelays.length > 1) out('\n--- direct: every process connects to the server itself');
      } else {
        out(
          `\n--- network +${delayMs} ms per round trip: the contenders' workers and clients connect through a proxy process (pid ${net.proxy?.pid}) holding each chunk ${delayMs / 2} ms each way; the bench's own admin and poller connections go straight to the server`,
        );
        try {
          const m = await measureDelay(db.url, net);
          delays.push({ run: currentRun, delayMs, measured: m });
          out(
            `    measured on SELECT 1 (${m.samples} round trips each, in turns): direct p50/p99 ${m.direct.p50}/${m.direct.p99} ms, through the proxy ${m.proxied.p50}/${m.proxied.p99} ms: it adds ${m.added.p50} ms at p50, ${m.added.p99} ms at p99`,
          );
        } catch (error) {
          out(`    the delay could not be measured (${String(error)}); the cases run anyway`);
        }
      }
      await contenderCases(delayMs);
    } finally {
      await net.close();
      net = directPath(db.url);
    }
  }
}

try {
  for (currentRun = 1; currentRun <= repeat; currentRun += 1) {
    if (repeat > 1) out(`\n=== run ${currentRun} of ${repeat} ===`);
    await contenderCasesAtEveryDelay();
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
          sql: (schema: string) =>
            `UPDATE "${schema}".jobs SET concurrency_key = 'k' || (id % 1000)`,
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
          .filter(
            (r) =>
              r.run === currentRun &&
              r.group === 'metrics-cost' &&
              r.label.includes(on ? 'on (' : 'off ('),
          )
          .map((r) => Number(r.outcome.jobsPerSecond));
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const ratio = mean(rates(true)) / mean(rates(false));
      out(
        `  metrics on / off, mean jobs/s: ${ratio.toFixed(3)} (target at least 0.95: ${ratio >= 0.95 ? 'met' : 'NOT met'})`,
      );
    }
    if (only.has('ceiling')) {
      const pgbench = await findPgbench();
      if ('missing' in pgbench) {
        out(`\nceiling: skipped: ${pgbench.missing}`);
      } else {
        out(
          `\nceiling: pgbench runs this project's claim + complete statements, batch ${ceilingBatch}`,
        );
        for (const clients of [1, 4]) {
          await record(
            {
              group: 'ceiling',
              label: `pgbench claim+complete, batch ${ceilingBatch}, ${clients} client(s)`,
              contender: 'pgbench',
              settings: '-',
            },
            (ctx) => runPgbench(ctx, { pgbench: pgbench.path, jobs, batch: ceilingBatch, clients }),
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
              label: `index cost: pgbench claim+complete, batch ${ceilingBatch}, ${variant.name}`,
              contender: 'pgbench',
              settings: '-',
            },
            (ctx) =>
              runPgbench(ctx, {
                pgbench: pgbench.path,
                jobs,
                batch: ceilingBatch,
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
      out(
        `\nstore-level ceiling: the same statements through the store in Node, batch ${ceilingBatch}`,
      );
      for (const loops of [1, 4]) {
        await record(
          {
            group: 'store',
            label: `store claim+complete, batch ${ceilingBatch}, ${loops} connection(s)`,
            contender: 'store',
            settings: '-',
          },
          (ctx) => runCeiling(ctx, { jobs, batch: ceilingBatch, loops }),
        );
      }
    }
    if (only.has('api-enqueue')) {
      out(
        `\nAPI enqueue rate: autocannon against the API in its own process, ${apiSeconds} s each`,
      );
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
      out(
        `  rate ${soak.rate} jobs/s; after the first 3 min, each minute against the third minute:`,
      );
      for (const c of soak.checks) {
        out(
          `  ${c.metric} (${c.summary}): reference ${c.reference}, minutes ${c.minutes.join(', ')}; worst ${(c.worstDeviation * 100).toFixed(1)} % -> ${c.pass ? 'flat (pass)' : 'NOT flat (fail)'}`,
        );
      }
      out(`  soak ${soak.pass ? 'PASSED' : 'FAILED'}; series ${files.json}; chart ${files.svg}`);
    }
    const lines = evaluateTargets(records.filter((r) => r.run === currentRun));
    targetsByRun.push(lines);
    if (repeat > 1 && NET_CASES.some((c) => only.has(c))) {
      out(`\ntargets (run ${currentRun} of ${repeat}):`);
      for (const line of lines) out(`  ${formatTarget(line)}`);
    }
  }
} finally {
  await db.clear().catch(() => {});
  await db.close();
}

const tables: Record<string, string>[][] = [];
for (let run = 1; run <= repeat; run += 1) {
  const { text, rows } = renderTable(records.filter((r) => r.run === run));
  tables.push(rows);
  out(`\n${repeat > 1 ? `run ${run} of ${repeat}:\n` : ''}${text}`);
}
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
if (delays.length > 0) out('');
for (const d of delays) {
  out(
    `network +${d.delayMs} ms asked${repeat > 1 ? ` (run ${d.run})` : ''}: the proxy added ${d.measured.added.p50} ms at p50, ${d.measured.added.p99} ms at p99 (SELECT 1, ${d.measured.samples} round trips against direct)`,
  );
}
const verdicts = overallVerdicts(targetsByRun);
if (NET_CASES.some((c) => only.has(c))) {
  for (const [i, lines] of targetsByRun.entries()) {
    out(`\ntargets${repeat > 1 ? ` (run ${i + 1} of ${repeat})` : ''}:`);
    for (const line of lines) out(`  ${formatTarget(line)}`);
  }
  if (repeat > 1) {
    out(`\nverdicts over ${repeat} runs (met only when met in every run):`);
    for (const v of verdicts) out(`  ${formatVerdict(v)}`);
  }
}
const finishedAt = new Date();
const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
const options = {
  jobs,
  latencyJobs,
  drainMaxSeconds,
  listRows,
  listRequests,
  apiSeconds,
  concurrencies,
  netDelays,
  repeat,
  drainRounds,
  enqueueCallSize: ENQUEUE_CALL_SIZE,
  only: [...only],
  systems,
  quick: values.quick,
};
const dir = new URL('../results/', import.meta.url);
await mkdir(dir, { recursive: true });
const file = new URL(`${startedAt.toISOString().replace(/[:.]/g, '-')}.json`, dir);
await writeFile(
  file,
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      database: db.label,
      machine,
      options,
      disturbanceThresholdCores: DISTURBANCE_THRESHOLD_CORES,
      settings: SETTINGS_TEXT,
      completedJobs: COMPLETED_JOBS,
      network: NETWORK_TEXT,
      measuredDelays: delays,
      targets: targetsByRun,
      verdicts,
      tables,
      cases: records,
    },
    null,
    2,
  )}\n`,
);
out(`\nwritten: ${file.pathname}`);
if (values.quick) {
  out('no summary in bench/history/ for a --quick run');
} else if (values['no-summary']) {
  out('no summary in bench/history/ (--no-summary)');
} else {
  const summary = await writeSummary(new URL('../history/', import.meta.url), {
    startedAt,
    finishedAt,
    database: db.label,
    machine,
    options,
    settings: SETTINGS_TEXT,
    network: NETWORK_TEXT,
    results: file.pathname.slice(file.pathname.lastIndexOf('/bench/') + 1),
    delays,
    records,
    targets: targetsByRun,
    verdicts,
  });
  out(`summary: ${summary} (commit it when you quote the run)`);
}
const failed = records.filter((r) => r.outcome.problems.length > 0).length;
if (failed > 0) out(`${failed} case(s) reported problems (see "check")`);
