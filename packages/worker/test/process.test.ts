import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWorkerArgs } from '../src/process.js';
import { getJob, usePg, waitFor } from './helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin/worker.js', import.meta.url));
const HANDLERS = fileURLToPath(new URL('./fixtures/process-handlers.mjs', import.meta.url));

/** A worker process and everything it printed on stdout, line by line. */
interface Spawned {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('the worker as a process (dist/bin/worker.js)', () => {
  const pg = usePg('process');
  const children: ChildProcess[] = [];
  let cwd = '';

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    if (cwd !== '') await rm(cwd, { recursive: true, force: true });
  });

  async function startProcess(...extra: string[]): Promise<Spawned> {
    if (!existsSync(BIN))
      throw new Error(`${BIN} is missing: build the package first (pnpm build)`);
    cwd = await mkdtemp(join(tmpdir(), 'jobs-worker-process-'));
    const child = spawn(
      process.execPath,
      [BIN, '--handlers', HANDLERS, '--concurrency', '2', '--poll-interval-ms', '100', ...extra],
      {
        cwd,
        env: { ...process.env, DATABASE_URL: pg.schema.url, JOBS_SCHEMA: pg.schema.schema },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    const lines: string[] = [];
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      lines.push(...parts);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitFor(() => lines.some((l) => l.includes('"type":"ready"')), 15_000, 'the ready line');
    return { child, lines, exited };
  }

  it('prints a ready line, runs jobs, writes the log files, and exits 0 on SIGTERM', async () => {
    const worker = await startProcess();
    const ready = JSON.parse(worker.lines.find((l) => l.includes('"type":"ready"')) ?? '{}');
    expect(ready).toMatchObject({
      type: 'ready',
      pid: worker.child.pid,
      schema: pg.schema.schema,
      concurrency: 2,
    });
    const [id = ''] = await pg.insert({ handler: 'echo', method: 'echo', params: ['hi'] });
    const job = await waitFor(async () => {
      const j = await getJob(pg.other, id);
      return j.state === 'completed' ? j : null;
    }, 5_000);
    expect(job.result).toEqual({ echoed: 'hi', pid: worker.child.pid });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    for (const line of worker.lines) expect(() => JSON.parse(line), line).not.toThrow();
    const jobLog = await readFile(join(cwd, 'logs', 'background_jobs.log'), 'utf8');
    expect(jobLog).toContain(`id=${id} handler="echo" method="echo" status=completed attempt=1`);
  });

  it('on a second signal exits at once, leaving the running job to be rescued', async () => {
    const worker = await startProcess('--grace-ms', '30000');
    const [id = ''] = await pg.insert({ handler: 'echo', method: 'slow', params: [30_000] });
    await waitFor(async () => (await getJob(pg.other, id)).state === 'running', 5_000);
    worker.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    expect(worker.child.exitCode).toBeNull();
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 143, signal: null });
    expect((await getJob(pg.other, id)).state).toBe('running');
  });

  it('reads its settings from flags first, then the environment', () => {
    const options = parseWorkerArgs(['--queues', 'a, b', '--concurrency', '4'], {
      DATABASE_URL: 'postgres://x/y',
      JOBS_HANDLERS: './handlers.js',
      JOBS_CONCURRENCY: '9',
      JOBS_LEASE_MS: '1000',
    });
    expect(options).toMatchObject({
      databaseUrl: 'postgres://x/y',
      handlersModule: './handlers.js',
      queues: ['a', 'b'],
      concurrency: 4,
      leaseMs: 1000,
      migrate: false,
    });
    expect(() => parseWorkerArgs([], {})).toThrow(/DATABASE_URL/);
    expect(() =>
      parseWorkerArgs(['--concurrency', 'lots'], { DATABASE_URL: 'u', JOBS_HANDLERS: 'h' }),
    ).toThrow(/concurrency/);
  });
});
