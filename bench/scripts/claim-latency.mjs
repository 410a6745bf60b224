#!/usr/bin/env node
// The round trip of a one-job claim after an idle gap, as the latency case's worker makes it:
// one job is inserted, the client waits `--gap-ms`, then claims it; the statements below take
// turns, so a drift of the machine's speed weighs on all alike. Prints p50 and p90 per
// statement, in ms:
//   claim              the store's claim, its pool announcing changes (`changeEvents` on)
//   claim, quiet       the same from a pool with change events off (the bench's fast setting)
//   plain update       one UPDATE ... WHERE id = (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1)
//                      RETURNING *, the shape of graphile-worker's claim, for reference
//   select 1           the bare round trip
//
//   node bench/scripts/claim-latency.mjs [--rounds 200] [--gap-ms 10]
//
// Needs `pnpm build`. Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local
// server's database `test`; it works in a schema of its own (bench_claim_latency), dropped at
// the end.
import { parseArgs } from 'node:util';
import { createClient, defineHandlers } from '@jobs/core';
import { createPgStore, migrate } from '@jobs/storage';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '200' },
    'gap-ms': { type: 'string', default: '10' },
  },
});
const rounds = Number(values.rounds);
const gapMs = Number(values['gap-ms']);
if (!Number.isInteger(rounds) || rounds < 10) throw new Error('--rounds must be an integer >= 10');
if (!Number.isFinite(gapMs) || gapMs < 0) throw new Error('--gap-ms must be a number >= 0');

const url =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const schema = 'bench_claim_latency';
const handlers = defineHandlers({ bench: { noop: () => null } });

await migrate({ url, schema });
const loud = createPgStore({ url, schema, max: 1 });
const quiet = createPgStore({ url, schema, max: 1, changeEvents: false });
const client = createClient(quiet, handlers);
const sql = quiet.connection.sql;
const claimOne = (store) => async () =>
  (await store.jobClaim({ workerId: 'probe', queues: null, limit: 16, leaseMs: 30_000 })).length;
const PLAIN = `UPDATE jobs SET state = 'running', attempt = attempt + 1, started_at = now(),
         lease_owner = $1, lease_expires_at = now() + interval '30 seconds'
   WHERE id = (SELECT id FROM jobs WHERE state IN ('scheduled', 'queued', 'retrying')
                 AND run_at <= now() AND concurrency_key IS NULL
               ORDER BY priority DESC, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING *`;
const statements = {
  claim: claimOne(loud),
  'claim, quiet': claimOne(quiet),
  'plain update': async () => (await sql.unsafe(PLAIN, ['probe'], { prepare: true })).length,
  'select 1': async () => {
    await sql.unsafe('SELECT 1', [], { prepare: true });
    return 1;
  },
};
const names = Object.keys(statements);
const times = Object.fromEntries(names.map((name) => [name, []]));
try {
  await sql.unsafe('TRUNCATE jobs CASCADE');
  const warmup = 5 * names.length;
  for (let i = 0; i < warmup + rounds * names.length; i += 1) {
    const name = names[i % names.length];
    await sql.unsafe(`DELETE FROM jobs WHERE state = 'queued'`);
    await client.enqueue('bench', 'noop', []);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    const started = performance.now();
    const claimed = await statements[name]();
    const ms = performance.now() - started;
    if (claimed !== 1) throw new Error(`${name} claimed ${claimed} jobs, not 1`);
    if (i >= warmup) times[name].push(ms);
  }
  const at = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
  process.stdout.write(`one-job claim after a ${gapMs} ms gap, ${rounds} rounds each (ms)\n`);
  for (const name of names) {
    const sorted = times[name].sort((a, b) => a - b);
    process.stdout.write(
      `  ${name.padEnd(14)} p50 ${at(sorted, 0.5).toFixed(3)}  p90 ${at(sorted, 0.9).toFixed(3)}\n`,
    );
  }
} finally {
  await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await Promise.all([loud.close(), quiet.close()]);
}
