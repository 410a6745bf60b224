import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive } from '@jobs/storage/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWorkerArgs } from '../src/process.js';
import { killAll, type SpawnedWorker, spawnWorker } from '../src/testing/index.js';
import { getJob, usePg, waitFor } from './helpers.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/process-handlers.mjs', import.meta.url));

describe('the worker as a process (dist/bin/worker.js)', () => {
  const pg = usePg('process');
  const children: ChildProcess[] = [];
  let cwd = '';

  afterEach(async () => {
    killAll(children.splice(0));
    if (cwd !== '') await rm(cwd, { recursive: true, force: true });
  });

  async function startProcess(...extra: string[]): Promise<SpawnedWorker> {
    cwd = await mkdtemp(join(tmpdir(), 'jobs-worker-process-'));
    const worker = await spawnWorker({
      url: pg.schema.url,
      schema: pg.schema.schema,
      handlers: HANDLERS,
      args: ['--concurrency', '2', '--poll-interval-ms', '100', ...extra],
      cwd,
    });
    children.push(worker.child);
    return worker;
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

  it('aborts a running job cancelled from another process and frees its slot at once', async () => {
    const worker = await startProcess('--concurrency', '1');
    const [slow = ''] = await pg.insert({ handler: 'echo', method: 'slow', params: [30_000] });
    await waitFor(async () => (await getJob(pg.other, slow)).state === 'running', 5_000);
    const [quick = ''] = await pg.insert({ handler: 'echo', method: 'echo', params: ['next'] });
    await pg.other.jobCancel({ ids: [slow] });
    // With one slot, the quick job can only run once the cancelled one was aborted.
    const done = await waitFor(async () => {
      const j = await getJob(pg.other, quick);
      return j.state === 'completed' ? j : null;
    }, 5_000);
    expect(done.result).toEqual({ echoed: 'next', pid: worker.child.pid });
    expect((await getJob(pg.other, slow)).state).toBe('cancelled');
    await waitFor(
      async () => {
        const log = await readFile(join(cwd, 'logs', 'background_jobs.log'), 'utf8').catch(
          () => '',
        );
        return log.includes(`id=${slow} handler="echo" method="slow" status=cancelled`);
      },
      5_000,
      'the cancelled line in the job log',
    );
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

  it('takes its isolated children down with it when it is killed with SIGKILL', async () => {
    const worker = await startProcess();
    const pidFile = join(cwd, 'spin.pid');
    await pg.insert({ handler: 'spin', method: 'forever', params: [pidFile] });
    const pid = await waitFor(
      async () => Number(await readFile(pidFile, 'utf8').catch(() => '')) || null,
      10_000,
      'the child pid',
    );
    expect(isAlive(pid)).toBe(true);
    worker.child.kill('SIGKILL');
    await waitFor(() => !isAlive(pid), 5_000, 'the isolated child to die with its worker');
  });

  it('loads prom-client only when it serves metrics, and never the domain module', async () => {
    const loadedBy = async (worker: SpawnedWorker) => {
      const [id = ''] = await pg.insert({ handler: 'echo', method: 'loaded', params: [] });
      const job = await waitFor(async () => {
        const j = await getJob(pg.other, id);
        return j.state === 'completed' ? j : null;
      }, 5_000);
      worker.child.kill('SIGTERM');
      await worker.exited;
      return job.result;
    };
    expect(await loadedBy(await startProcess())).toEqual({ promClient: false, domain: false });
    await rm(cwd, { recursive: true, force: true });
    expect(await loadedBy(await startProcess('--metrics-port', '0'))).toEqual({
      promClient: true,
      domain: false,
    });
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
      changeEvents: true,
    });
    expect(
      parseWorkerArgs(['--change-events', 'off'], { DATABASE_URL: 'u', JOBS_HANDLERS: 'h' }),
    ).toMatchObject({ changeEvents: false });
    expect(() =>
      parseWorkerArgs([], { DATABASE_URL: 'u', JOBS_HANDLERS: 'h', JOBS_CHANGE_EVENTS: 'maybe' }),
    ).toThrow(/change-events/);
    expect(() => parseWorkerArgs([], {})).toThrow(/DATABASE_URL/);
    expect(() =>
      parseWorkerArgs(['--concurrency', 'lots'], { DATABASE_URL: 'u', JOBS_HANDLERS: 'h' }),
    ).toThrow(/concurrency/);
  });
});
