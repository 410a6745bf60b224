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

  it('escapes forged lines and terminal controls from handler errors and stored names in both log files', async () => {
    const forged =
      'boom\rcr \x1b[2J\x1b[31mred\vvt \u0085nel \u2028ls \u202eevil' +
      '\n2026-01-01T00:00:00.000Z [error] job 1 handler="x" status=failed';
    const handlers = defineHandlers({
      forger: {
        run: () => {
          throw new Error(forged);
        },
      },
    });
    // A row written by hand (no name check in the database) whose handler name is hostile.
    const evilHandler = 'Evil\u2028\x1b]0;pwned\x07\r2026-01-01T00:00:00.000Z id=1';
    const [id = '', ghost = ''] = await pg.insert(
      { handler: 'forger', method: 'run', params: [], maxAttempts: 1 },
      { handler: evilHandler, method: 'run\u0085', params: [], maxAttempts: 1 },
    );
    let failed = 0;
    const worker = testWorker({
      store: pg.store,
      handlers,
      jobLogPath: join(dir, 'jobs.log'),
      errorLogPath: join(dir, 'errors.log'),
    });
    worker.events.on('failed', () => failed++);
    await worker.start();
    await waitFor(() => failed === 2);
    await worker.stop();

    const rawControl = /[\p{Cc}\u2028\u2029\u202A-\u202E]|\p{Cs}/u;
    const anyLineBreak = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;
    for (const name of ['jobs.log', 'errors.log']) {
      const text = (await readFile(join(dir, name), 'utf8')).replace(/\n$/, '');
      const lines = text.split('\n');
      expect(text.split(anyLineBreak), name).toEqual(lines);
      for (const line of lines) expect(line, name).not.toMatch(rawControl);
    }
    const jobLines = (await readFile(join(dir, 'jobs.log'), 'utf8')).trimEnd().split('\n');
    expect(jobLines).toHaveLength(4);
    for (const line of jobLines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z id=\d+ /);
    const ghostLine = jobLines.find((l) => l.includes(`id=${ghost} `)) ?? '';
    const handlerField = /handler=("(?:[^"\\]|\\.)*")/.exec(ghostLine)?.[1] ?? '""';
    expect(JSON.parse(handlerField)).toBe(evilHandler);

    const errorLines = (await readFile(join(dir, 'errors.log'), 'utf8')).trimEnd().split('\n');
    const heads = errorLines.filter((l) => /^\d{4}-/.test(l));
    expect(heads.map((h) => /id=(\d+) /.exec(h)?.[1]).sort()).toEqual([id, ghost].sort());
    for (const line of errorLines) expect(line).toMatch(/^(\d{4}-\d\d-\d\dT[\d:.]+Z id=\d+ | {2})/);
    expect(errorLines).toContain(
      '  2026-01-01T00:00:00.000Z [error] job 1 handler="x" status=failed',
    );
    expect(errorLines).toContain(
      '  Error: boom\\rcr \\u001b[2J\\u001b[31mred\\u000bvt \\u0085nel \\u2028ls \\u202eevil',
    );
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
