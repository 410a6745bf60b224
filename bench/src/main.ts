// `pnpm bench`: the worker's drain throughput and enqueue-to-start latency, measured in one
// run against the store-level ceiling (the claim and complete statements alone). Figures go
// to stdout as a table and to bench/results/<time>.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runCeiling } from './cases/ceiling.js';
import { runDrain } from './cases/drain.js';
import { runLatency } from './cases/latency.js';
import { openBenchDatabase } from './database.js';
import { load, round } from './stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '50000' },
    'latency-jobs': { type: 'string', default: '500' },
    only: { type: 'string', default: 'ceiling,drain,latency' },
  },
  strict: true,
});
const jobs = Number(values.jobs);
const latencyJobs = Number(values['latency-jobs']);
const only = new Set(values.only.split(','));
if (!Number.isInteger(jobs) || jobs <= 0) throw new Error('--jobs must be a positive integer');

const db = await openBenchDatabase();
const results: Record<string, unknown>[] = [];
const report = (row: Record<string, unknown>) => {
  results.push(row);
  const shown = Object.entries(row)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : JSON.stringify(v)}`)
    .join('  ');
  process.stdout.write(`${shown}\n`);
};

process.stdout.write(`database: ${db.label}; load before: ${load()}\n`);
try {
  let ceiling = 0;
  if (only.has('ceiling')) {
    for (const loops of [1, 4]) {
      const r = await runCeiling(db, { jobs, batch: 64, loops });
      ceiling = Math.max(ceiling, r.jobsPerSecond);
      report({ ...r });
    }
  }
  if (only.has('drain')) {
    for (const concurrency of [16, 64]) {
      for (const changeEvents of [true, false]) {
        const r = await runDrain(db, { jobs, concurrency, changeEvents });
        report({
          ...r,
          ...(ceiling > 0 ? { shareOfCeiling: round(r.jobsPerSecond / ceiling, 2) } : {}),
        });
      }
    }
  }
  if (only.has('latency')) {
    report({ ...(await runLatency(db, { jobs: latencyJobs, rate: 100, concurrency: 16 })) });
  }
} finally {
  await db.close();
}

const dir = new URL('../results/', import.meta.url);
await mkdir(dir, { recursive: true });
const file = new URL(`${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir);
await writeFile(file, `${JSON.stringify({ database: db.label, results }, null, 2)}\n`);
process.stdout.write(`written: ${file.pathname}\n`);
