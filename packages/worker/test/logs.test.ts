import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineHandlers } from '@jobs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobContext } from '../src/context.js';
import { MAX_LOG_LINE_LENGTH } from '../src/progress.js';
import { getJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('log files, progress and log lines', () => {
  const pg = usePg('logs');
  trackWorkers();
  let dir = '';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-worker-logs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one job-log line per state change and each failure with its stack to the error log', async () => {
    const handlers = defineHandlers({
      'App\\Services\\Mailer': {
        send: () => 'sent',
        fail: () => {
          throw new RangeError('no such mailbox');
        },
      },
    });
    const [ok = '', bad = '', ghost = ''] = await pg.insert(
      { handler: 'App\\Services\\Mailer', method: 'send', params: [] },
      {
        handler: 'App\\Services\\Mailer',
        method: 'fail',
        params: [],
        maxAttempts: 2,
        backoff: { kind: 'fixed', delayMs: 0 },
      },
      { handler: 'Unknown', method: 'run', params: [] },
    );
    let finished = 0;
    // The environment names the log files (a directory gets the default file name).
    const worker = testWorker({
      store: pg.store,
      handlers,
      jobLogPath: undefined,
      errorLogPath: undefined,
      env: {
        BACKGROUND_JOB_LOG_DIRECTORY: join(dir, 'jobs.log'),
        BACKGROUND_JOB_ERROR_LOG_DIRECTORY: dir,
      },
    });
    worker.events.on('completed', () => finished++);
    worker.events.on('failed', () => finished++);
    await worker.start();
    await waitFor(() => finished === 3);
    await worker.stop();
    const jobLines = (await readFile(join(dir, 'jobs.log'), 'utf8')).trimEnd().split('\n');
    const line =
      /^\d{4}-\d\d-\d\dT[\d:.]+Z id=(\d+) handler=("[^"]*(?:\\.[^"]*)*") method="(\w+)" status=([\w-]+) attempt=(\d+) duration_ms=(\d+|-) worker="[^"]+"$/;
    const parsed = jobLines.map((l) => {
      const m = line.exec(l);
      expect(m, l).not.toBeNull();
      return {
        id: m?.[1],
        handler: JSON.parse(m?.[2] ?? '""'),
        status: m?.[4],
        attempt: Number(m?.[5]),
        duration: m?.[6],
      };
    });
    const of = (id: string) =>
      parsed.filter((p) => p.id === id).map((p) => `${p.status}#${p.attempt}`);
    expect(of(ok)).toEqual(['running#1', 'completed#1']);
    expect(of(bad)).toEqual(['running#1', 'retrying#1', 'running#2', 'failed#2']);
    expect(of(ghost)).toEqual(['running#1', 'failed#1']);
    expect(parsed.find((p) => p.id === ok)?.handler).toBe('App\\Services\\Mailer');
    expect(parsed.find((p) => p.id === ok && p.status === 'completed')?.duration).toMatch(/^\d+$/);

    const errorLog = await readFile(join(dir, 'background_jobs_error.log'), 'utf8');
    const heads = errorLog.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(heads).toHaveLength(3);
    expect(
      heads.filter(
        (h) => h.includes(`id=${bad} `) && h.includes('error="RangeError: no such mailbox"'),
      ),
    ).toHaveLength(2);
    expect(
      heads.some(
        (h) =>
          h.includes(`id=${ghost} `) &&
          h.includes('UnknownHandlerError: handler \\"Unknown\\" is not registered'),
      ),
    ).toBe(true);
    expect(errorLog).toMatch(/\n {2}RangeError: no such mailbox\n {2}\s+at .+logs\.test\.ts/);
  });

  it('stores progress and log lines (cut to a bounded length) while the job runs', async () => {
    const handlers = defineHandlers({
      report: {
        async run() {
          const context = jobContext();
          context.progress(10);
          context.log('first');
          context.progress({ done: 5, of: 10 });
          context.log('y'.repeat(5_000));
          await new Promise((r) => setTimeout(r, 100));
          context.log('last');
          return context.attempt;
        },
      },
    });
    const [id = ''] = await pg.insert({ handler: 'report', method: 'run', params: [] });
    let done = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('completed', () => done++);
    await worker.start();
    await waitFor(() => done === 1);
    await worker.stop();
    const job = await getJob(pg.other, id);
    expect(job.progress).toEqual({ done: 5, of: 10 });
    expect(job.logs.map((l) => l.line.slice(0, 5))).toEqual(['first', 'yyyyy', 'last']);
    expect(job.logs[1]?.line.length).toBe(MAX_LOG_LINE_LENGTH);
    expect(job.result).toBe(1);
  });
});
