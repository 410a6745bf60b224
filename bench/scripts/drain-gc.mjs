#!/usr/bin/env node
// One fast drain of our worker (the bench's fast settings: prefetch 500, change events off)
// with V8's GC trace on, to see what the worker's memory does per job: the young-generation
// collections (scavenges), their pauses, the bytes they promoted to the old generation, the
// full collections, the peak RSS, and from the table how long each job was held (its claim to
// its recorded completion, on the database clock) and how many claims and completion writes
// the drain took.
//
//   node bench/scripts/drain-gc.mjs [--jobs 50000] [--concurrency 16] [--prefetch 500] [-- <node flags for the worker>]
//
// Needs `pnpm build`. Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local
// server's database `test`; it works in a schema of its own (bench_drain_gc), dropped at the end.
// The rate it prints is not the bench's (it polls the table to see the end): compare GC figures.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClient } from '@jobs/core';
import { createPgStore, migrate } from '@jobs/storage';
import { handlers } from '../dist/handlers.js';

const { values, positionals } = parseArgs({
  options: {
    jobs: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '16' },
    prefetch: { type: 'string', default: '500' },
  },
  allowPositionals: true,
});
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1000) throw new Error('--jobs must be an integer >= 1000');
const url =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const schema = 'bench_drain_gc';
const workerBin = fileURLToPath(new URL('./bin/worker.js', import.meta.resolve('@jobs/worker')));
const handlersModule = fileURLToPath(new URL('../dist/handlers.js', import.meta.url));

await migrate({ url, schema });
const store = createPgStore({ url, schema, changeEvents: false });
const client = createClient(store, handlers);
const sql = store.connection.sql;
// The worker's folder, for its job and error logs, as the bench gives each worker.
const cwd = mkdtempSync(join(tmpdir(), 'jobs-drain-gc-'));
try {
  await sql.unsafe('TRUNCATE jobs CASCADE');
  for (let done = 0; done < jobs; done += 5000) {
    const n = Math.min(5000, jobs - done);
    await client.enqueueMany(
      Array.from({ length: n }, () => ({ handler: 'bench', method: 'noop', params: [] })),
    );
  }
  await sql.unsafe('VACUUM ANALYZE jobs');
  const child = spawn(
    process.execPath,
    [
      '--trace-gc-nvp',
      ...positionals,
      workerBin,
      ...['--handlers', handlersModule, '--database-url', url, '--schema', schema],
      ...['--concurrency', values.concurrency, '--prefetch', values.prefetch],
      ...['--change-events', 'off'],
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd,
      env: { ...process.env, JOBS_LOG_LEVEL: 'warn' },
    },
  );
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  let peakKiB = 0;
  const sampler = setInterval(() => {
    try {
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (rss !== null) peakKiB = Math.max(peakKiB, Number(rss[1]));
    } catch {
      // ended
    }
  }, 20);
  while (!out.includes('"type":"ready"')) await new Promise((resolve) => setTimeout(resolve, 5));
  const started = performance.now();
  for (;;) {
    const [{ n }] = await sql.unsafe(
      `SELECT count(*)::int AS n FROM jobs WHERE state = 'completed'`,
    );
    if (n >= jobs) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(sampler);

  const gcs = out
    .split('\n')
    .filter((line) => line.includes(' gc='))
    .map((line) =>
      Object.fromEntries(
        line
          .trim()
          .split(/\s+/)
          .map((kv) => kv.split('=')),
      ),
    );
  const scavenges = gcs.filter((gc) => gc.gc === 's');
  const full = gcs.filter((gc) => gc.gc !== 's');
  const sum = (list, key) => list.reduce((total, gc) => total + Number(gc[key] ?? 0), 0);
  const [held] = await sql.unsafe(`
    SELECT percentile_cont(ARRAY[0.1, 0.5, 0.9, 0.99]) WITHIN GROUP (
             ORDER BY extract(epoch FROM finished_at - started_at) * 1000) AS ms,
           count(DISTINCT started_at)::int AS claims, count(DISTINCT finished_at)::int AS writes
      FROM jobs WHERE state = 'completed'`);
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
  process.stdout.write(
    [
      `drain of ${jobs} jobs, concurrency ${values.concurrency}, prefetch ${values.prefetch}: ${Math.round(jobs / seconds)} jobs/s, peak RSS ${Math.round(peakKiB / 1024)} MiB`,
      `  scavenges ${scavenges.length}: pauses ${sum(scavenges, 'pause').toFixed(0)} ms in all, ${mib(sum(scavenges, 'allocated') / scavenges.length)} MiB allocated between two, ${mib(sum(scavenges, 'promoted'))} MiB promoted (${Math.round(sum(scavenges, 'promoted') / jobs)} B per job)`,
      `  full collections ${full.length}: pauses ${sum(full, 'pause').toFixed(0)} ms in all`,
      `  a job held from its claim to its recorded completion, p10/p50/p90/p99: ${held.ms.map((ms) => ms.toFixed(0)).join(' / ')} ms; ${held.claims} claims, ${held.writes} completion writes`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(cwd, { recursive: true, force: true });
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await store.close();
}
