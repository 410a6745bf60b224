#!/usr/bin/env node
// A/B of this project's drain against an earlier commit, in one run: builds the earlier commit
// in a scratch clone, then runs `bench --only drain --systems ours` of each side in turn
// (alternating which goes first, round after round, so that a drift of the machine's speed
// weighs on both alike) and prints each case's mean rate per side and the ratio after/before.
//
//   node bench/scripts/ab-drain.mjs --before <commit> [--after <commit>] [--rounds 3] [-- <more bench flags>]
//
// Without --after, the "after" side is the current checkout, which must be built (`pnpm build`). Both sides use the database of
// BENCH_DATABASE_URL (default: database jobs_bench_ab on 127.0.0.1:5432, created when missing);
// each bench run resets its schema, so they never see each other's tables.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values, positionals } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    rounds: { type: 'string', default: '3' },
  },
  allowPositionals: true,
});
if (values.before === undefined) {
  process.stderr.write('usage: ab-drain.mjs --before <commit> [--rounds N] [-- bench flags]\n');
  process.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');

const git = (...args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
const beforeSha = git('rev-parse', `${values.before}^{commit}`);
const afterSha = git('rev-parse', `${values.after ?? 'HEAD'}^{commit}`);
const dirty =
  values.after === undefined && git('status', '--porcelain', '--untracked-files=no') !== '';

/** A commit, cloned and built once in a scratch folder (kept for later runs). */
function build(sha) {
  const dir = join(tmpdir(), `jobs-ab-${sha.slice(0, 12)}`);
  const ready = join(dir, 'bench', 'dist', 'main.js');
  if (existsSync(ready)) return dir;
  process.stdout.write(`building ${sha.slice(0, 12)} in ${dir}\n`);
  if (!existsSync(dir)) {
    execFileSync('git', ['clone', '--quiet', '--shared', '--no-checkout', root, dir]);
  }
  execFileSync('git', ['-C', dir, 'checkout', '--quiet', '--detach', sha]);
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: dir, stdio: 'inherit' });
  try {
    run('pnpm', ['install', '--frozen-lockfile', '--offline']);
  } catch {
    run('pnpm', ['install', '--frozen-lockfile']);
  }
  run('pnpm', ['turbo', 'run', 'build', '--filter=@jobs/bench...']);
  return dir;
}

async function databaseUrl() {
  if (process.env.BENCH_DATABASE_URL !== undefined) return process.env.BENCH_DATABASE_URL;
  const name = 'jobs_bench_ab';
  try {
    execFileSync(
      'psql',
      ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    // It exists already.
  }
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}

/** Runs one side's bench; resolves to its results JSON. */
function benchOnce(dir, url, side) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(dir, 'bench', 'dist', 'main.js'),
        '--only',
        'drain',
        '--systems',
        'ours',
        // The current checkout's summaries are not meant to be kept; a built commit's land in
        // its scratch clone (whose bench may not know the flag).
        ...(dir === root ? ['--no-summary'] : []),
        ...positionals,
      ],
      {
        cwd: dir,
        env: { ...process.env, BENCH_DATABASE_URL: url },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      for (const line of String(chunk).split('\n')) {
        if (line.includes('jobs/s') || line.startsWith('drain'))
          process.stdout.write(`  [${side}] ${line.trim()}\n`);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const written = /written: (\S+\.json)/.exec(out);
      if (code !== 0 || written === null) reject(new Error(`${side} bench exited ${code}`));
      else resolve(JSON.parse(readFileSync(written[1], 'utf8')));
    });
  });
}

const before = build(beforeSha);
const after = values.after === undefined ? root : build(afterSha);
const url = await databaseUrl();
/** case key -> side -> rates */
const rates = new Map();
const disturbed = [];
for (let round = 1; round <= rounds; round += 1) {
  const order = round % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
  for (const side of order) {
    process.stdout.write(`round ${round}: ${side}\n`);
    const result = await benchOnce(side === 'before' ? before : after, url, side);
    for (const c of result.cases) {
      if (c.outcome === undefined || typeof c.outcome.jobsPerSecond !== 'number') continue;
      const key = `${c.label}, ${c.settings}`;
      const entry = rates.get(key) ?? { before: [], after: [] };
      entry[side].push(c.outcome.jobsPerSecond);
      rates.set(key, entry);
      if (c.load?.disturbed === true) disturbed.push(`${side} round ${round}: ${key}`);
    }
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rows = [...rates.entries()].map(([key, r]) => ({
  case: key,
  before: r.before.map(Math.round),
  after: r.after.map(Math.round),
  ratio: Math.round((mean(r.after) / mean(r.before)) * 1000) / 1000,
}));
process.stdout.write(
  `\nA/B drain, ours only: before ${beforeSha.slice(0, 12)}, after ${afterSha.slice(0, 12)}${dirty ? ' (with uncommitted changes)' : ''}, ${rounds} rounds\n`,
);
for (const row of rows) {
  process.stdout.write(
    `  ${row.case}: before ${row.before.join(' / ')} jobs/s, after ${row.after.join(' / ')} jobs/s; mean ratio after/before ${row.ratio.toFixed(3)}\n`,
  );
}
if (disturbed.length > 0)
  process.stdout.write(`  disturbed (the bench's own flag): ${disturbed.join('; ')}\n`);
const dir = join(root, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `ab-drain-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ before: beforeSha, after: afterSha, dirty, rounds, args: positionals, rows, disturbed }, null, 2)}\n`,
);
process.stdout.write(`written: ${file}\n`);
