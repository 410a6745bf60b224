import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPgStore } from '@jobs/storage';
import { scratchDir } from '../contenders/systems.js';
import type { CaseContext } from '../context.js';
import { BENCH_SCHEMA } from '../database.js';
import { enqueueNoops, verifyExactlyOnce } from '../enqueue.js';
import { dropIndexes } from './index-cost.js';

/** Where pgbench is, or null with a line saying how to install it. */
export async function findPgbench(): Promise<{ path: string } | { missing: string }> {
  try {
    const { stdout } = await promisify(execFile)('sh', ['-c', 'command -v pgbench']);
    const path = stdout.trim();
    if (path !== '') return { path };
  } catch {
    // not found
  }
  return {
    missing:
      'pgbench not found: on Debian `apt-get install -y postgresql-client` (or postgresql-contrib) brings it',
  };
}

/** A statement the store sent, as postgres-js's debug hook saw it. */
export interface Captured {
  readonly text: string;
  readonly params: unknown[];
}

type DebugHook = (connection: number, query: string, params: unknown[]) => void;

/**
 * The exact claim and complete statements this project's store sends, captured from a real
 * `jobClaim` and `jobComplete` call (postgres-js's debug hook), with how many statements each
 * store call sent.
 */
const CAPTURE_LIMIT = 1;
const CAPTURE_WORKER = 'capture';
const CAPTURE_LEASE_MS = 60_000;

async function captureLifecycle(url: string): Promise<{ claim: Captured[]; complete: Captured[] }> {
  const store = createPgStore({ url, schema: BENCH_SCHEMA, max: 1 });
  const seen: Captured[] = [];
  const options = store.connection.sql.options as unknown as { debug: DebugHook | boolean };
  try {
    await store.connection.sql`SELECT 1`;
    options.debug = (_c, text, params) => seen.push({ text, params });
    const claimed = await store.jobClaim({
      workerId: CAPTURE_WORKER,
      queues: null,
      limit: CAPTURE_LIMIT,
      leaseMs: CAPTURE_LEASE_MS,
    });
    const claim = seen.splice(0);
    await store.jobComplete({
      workerId: CAPTURE_WORKER,
      jobs: claimed.map((job) => ({ id: job.id, attempt: job.attempt, result: null })),
    });
    const complete = seen.splice(0);
    return { claim, complete };
  } finally {
    options.debug = false;
    await store.close();
  }
}

/** A captured parameter as an SQL literal (for parameters the script keeps constant). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}

/**
 * Replaces the `$n` parameters of a captured statement: those named in `values` by pgbench
 * expressions, the rest by the literal captured value (e.g. the claim's "all queues" NULL).
 */
function substitute(statement: Captured, values: Record<number, string>): string {
  const text = statement.text.replace(/\$(\d+)\b/g, (_match, n: string) => {
    const index = Number(n);
    return values[index] ?? literal(statement.params[index - 1]);
  });
  if (/\$\d/.test(text)) throw new Error('a parameter of a captured statement was left over');
  return text;
}

/** The 1-based position of the captured parameter equal to `value` (as text), if any. */
function position(statement: Captured, value: string | number): number | undefined {
  const index = statement.params.findIndex((p) => p !== null && String(p) === String(value));
  return index < 0 ? undefined : index + 1;
}

/**
 * The pgbench script of one job lifecycle: the claim (its final SELECT aggregated into one row
 * of id and attempt arrays, for `\gset`) and the complete statement over those arrays, each
 * client its own lease owner (`:client_id`). The claim's limit, worker id and lease are found
 * among its captured parameters by the values the capture passed (1, 'capture', 60000); the
 * complete statement takes ids, attempts and results as its first three parameters.
 */
export function lifecycleScript(claim: Captured, complete: Captured): string {
  // The final SELECT lists the claimed rows' columns, the id first, from the CTE they come from
  // (`SELECT x."id", ... FROM x ...`; a subquery in the list reads another CTE).
  const finalSelect = /SELECT\s+(\w+)\.(?:"id"|id)\s*,[\s\S]*?\sFROM\s+\1\b([\s\S]*)$/;
  const m = finalSelect.exec(claim.text);
  if (m === null) {
    throw new Error('cannot adapt the claim statement: no final "SELECT x.id, ... FROM x"');
  }
  const alias = m[1] as string;
  const aggregated = {
    text: claim.text.replace(
      finalSelect,
      `SELECT coalesce(array_agg(${alias}.id)::text, '{}') AS ids, coalesce(array_agg(${alias}.attempt)::text, '{}') AS attempts FROM ${alias}${m[2]}`,
    ),
    params: claim.params,
  };
  const claimValues: Record<number, string> = {};
  for (const [value, expression] of [
    [CAPTURE_LIMIT, ':batch'],
    [CAPTURE_WORKER, ':client_id'],
    [CAPTURE_LEASE_MS, ':lease'],
  ] as const) {
    const at = position(claim, value);
    if (at === undefined) throw new Error(`the claim statement has no parameter ${value}`);
    claimValues[at] = expression;
  }
  const completeValues: Record<number, string> = {
    1: ':ids',
    2: ':attempts',
    3: 'array_fill(NULL::text, ARRAY[cardinality(:ids::bigint[])])',
  };
  const worker = position(complete, CAPTURE_WORKER);
  if (worker !== undefined) completeValues[worker] = ':client_id';
  const claimSql = substitute(aggregated, claimValues);
  const completeSql = substitute(complete, completeValues);
  return `${claimSql.trim()}\n\\gset\n${completeSql.trim()};\n`;
}

/**
 * The ceiling: pgbench runs this project's bare claim + complete statements (batch `batch`)
 * over `jobs` queued jobs from `clients` connections, prepared statements, change feed off.
 */
export async function runPgbench(
  ctx: CaseContext,
  options: {
    pgbench: string;
    jobs: number;
    batch: number;
    clients: number;
    /** Indexes of the jobs table dropped before the run (the index-cost case). */
    dropIndexes?: readonly string[];
  },
) {
  const store = await ctx.db.reset();
  await enqueueNoops(store, options.jobs);
  await dropIndexes(store, options.dropIndexes ?? []);
  await store.connection.sql`ANALYZE jobs`;
  const captured = await captureLifecycle(ctx.db.url);
  const claim = captured.claim.at(-1);
  const complete = captured.complete.at(-1);
  if (claim === undefined || complete === undefined) throw new Error('no statement captured');
  const script = lifecycleScript(claim, complete);
  const dir = await scratchDir();
  try {
    const file = join(dir.path, 'lifecycle.sql');
    await writeFile(file, script);
    // One job was claimed and completed by the capture; the rest is pgbench's.
    const remaining = options.jobs - 1;
    const perClient = Math.ceil(remaining / options.batch / options.clients) + 1;
    await ctx.begin();
    const started = performance.now();
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(
        options.pgbench,
        [
          '-n',
          '-M',
          'prepared',
          '-f',
          file,
          '-c',
          String(options.clients),
          '-j',
          String(Math.min(options.clients, 2)),
          '-t',
          String(perClient),
          '-D',
          `batch=${options.batch}`,
          '-D',
          'lease=60000',
          ctx.db.url,
        ],
        {
          env: {
            ...process.env,
            PGOPTIONS: `-c search_path=${BENCH_SCHEMA} -c jobs.change_events=off`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      ctx.watch('pgbench', child.pid ?? 0);
      let text = '';
      child.stdout.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      child.stderr.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      child.once('exit', (code) => resolve({ code, text }));
    });
    const seconds = (performance.now() - started) / 1000;
    await ctx.end();
    const problems = await verifyExactlyOnce(store, options.jobs);
    if (output.code !== 0)
      problems.push(`pgbench exited with ${output.code}: ${output.text.slice(-500)}`);
    const latency = /latency average = ([\d.]+) ms/.exec(output.text)?.[1];
    return {
      jobs: remaining,
      batch: options.batch,
      clients: options.clients,
      seconds,
      jobsPerSecond: remaining / seconds,
      transactionLatencyMs: latency === undefined ? Number.NaN : Number(latency),
      statementsPerClaimCall: captured.claim.length,
      statementsPerCompleteCall: captured.complete.length,
      script,
      problems,
    };
  } finally {
    await dir.remove();
  }
}
