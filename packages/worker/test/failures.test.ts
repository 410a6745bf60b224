import { defineHandlers, handler, PermanentError, type RetryPolicy } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jobContext } from '../src/context.js';
import { MAX_ERROR_MESSAGE_LENGTH, NON_ERROR_NAME } from '../src/error-entry.js';
import { getJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

const SHORT: RetryPolicy = { kind: 'fixed', delayMs: 100 };

describe('failed attempts', () => {
  const pg = usePg('failures');
  trackWorkers();

  it('retries with the job’s own backoff, records every attempt, and completes', async () => {
    const attempts: number[] = [];
    const handlers = defineHandlers({
      flaky: {
        run(failTimes: number) {
          attempts.push(Date.now());
          if (attempts.length <= failTimes) throw new TypeError(`attempt ${attempts.length} broke`);
          return { ok: true, attempts: attempts.length };
        },
      },
    });
    const [id] = await pg.insert({
      handler: 'flaky',
      method: 'run',
      params: [2],
      maxAttempts: 4,
      backoff: SHORT,
    });
    const retrying: number[] = [];
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('retrying', ({ delayMs }) => retrying.push(delayMs));
    await worker.start();
    const job = await waitFor(async () => {
      const j = await getJob(pg.other, id ?? '');
      return j.state === 'completed' ? j : null;
    });
    await worker.stop();
    expect(job.attempt).toBe(3);
    expect(job.result).toEqual({ ok: true, attempts: 3 });
    expect(job.errors.map((e) => [e.attempt, e.name, e.message])).toEqual([
      [1, 'TypeError', 'attempt 1 broke'],
      [2, 'TypeError', 'attempt 2 broke'],
    ]);
    expect(job.errors[0]?.workerId).toBe(worker.id);
    expect(job.errors[0]?.stack).toContain('attempt 1 broke');
    expect(retrying).toEqual([100, 100]);
    const [first = 0, second = 0, third = 0] = attempts;
    expect(second - first).toBeGreaterThanOrEqual(90);
    expect(third - second).toBeGreaterThanOrEqual(90);
  });

  it('fails the job when no attempts are left', async () => {
    const handlers = defineHandlers({ broken: { run: () => Promise.reject(new Error('always')) } });
    const [id = ''] = await pg.insert({
      handler: 'broken',
      method: 'run',
      params: [],
      maxAttempts: 2,
      backoff: SHORT,
    });
    const failed: string[] = [];
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('failed', ({ job }) => failed.push(job.id));
    await worker.start();
    await waitFor(() => failed.length === 1);
    await worker.stop();
    const job = await getJob(pg.other, id);
    expect(job.state).toBe('failed');
    expect(job.attempt).toBe(2);
    expect(job.errors).toHaveLength(2);
  });

  it('fails at once, retries left or not, on a PermanentError or an error named like one', async () => {
    class NamedLikeIt extends Error {
      override name = 'PermanentError';
    }
    const handlers = defineHandlers({
      strict: {
        core: () => {
          throw new PermanentError('bad input');
        },
        named: () => {
          throw new NamedLikeIt('also final');
        },
      },
    });
    const ids = await pg.insert(
      { handler: 'strict', method: 'core', params: [], maxAttempts: 5, backoff: SHORT },
      { handler: 'strict', method: 'named', params: [], maxAttempts: 5, backoff: SHORT },
    );
    let failed = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('failed', () => failed++);
    await worker.start();
    await waitFor(() => failed === 2);
    await worker.stop();
    for (const id of ids) {
      const job = await getJob(pg.other, id);
      expect(job.state).toBe('failed');
      expect(job.attempt).toBe(1);
      expect(job.errors[0]?.name).toBe('PermanentError');
    }
  });

  it('fails a job whose handler or method is not registered, permanently, running nothing', async () => {
    let ran = false;
    const handlers = defineHandlers({
      known: {
        run: () => {
          ran = true;
        },
      },
    });
    const ids = await pg.insert(
      { handler: 'ghost', method: 'run', params: [], maxAttempts: 3 },
      { handler: 'known', method: 'missing', params: [], maxAttempts: 3 },
      { handler: 'known', method: 'constructor', params: [], maxAttempts: 3 },
    );
    let failed = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('failed', () => failed++);
    await worker.start();
    await waitFor(() => failed === 3);
    await worker.stop();
    expect(ran).toBe(false);
    const jobs = await Promise.all(ids.map((id) => getJob(pg.other, id)));
    expect(jobs.map((j) => [j.state, j.attempt, j.errors[0]?.name])).toEqual([
      ['failed', 1, 'UnknownHandlerError'],
      ['failed', 1, 'UnknownHandlerError'],
      ['failed', 1, 'UnknownHandlerError'],
    ]);
    expect(jobs[0]?.errors[0]?.message).toBe('handler "ghost" is not registered');
    expect(jobs[1]?.errors[0]?.message).toContain('"missing" is not a registered method');
  });

  it('fails, permanently and without calling the handler, a row whose params are not an array or fail the schema', async () => {
    const calls: unknown[] = [];
    const handlers = defineHandlers({
      typed: handler(
        {
          send(to: string) {
            calls.push(to);
          },
        },
        { schemas: { send: z.tuple([z.string().email()]) } },
      ),
    });
    const [good] = await pg.insert({ handler: 'typed', method: 'send', params: ['a@b.co'] });
    const [badSchema] = await pg.insert({
      handler: 'typed',
      method: 'send',
      params: ['not-an-email'],
      maxAttempts: 3,
    });
    // Written straight into the table, past every client check: the table refuses it...
    const sql = pg.other.connection.sql;
    const insertNotArray = () => sql<{ id: string }[]>`
      INSERT INTO jobs (handler, method, params, state, max_attempts, backoff)
      VALUES ('typed', 'send', '{"0": "x@y.co", "length": 1}', 'queued', 3, '{"kind":"fixed","delayMs":0}')
      RETURNING id::text AS id`;
    await expect(insertNotArray()).rejects.toMatchObject({ constraint_name: 'jobs_params_check' });
    // ...and a table without the check (a database not yet migrated) still never reaches the
    // handler with it.
    const [check] = await sql<{ def: string }[]>`
      SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'jobs_params_check'`;
    await sql`ALTER TABLE jobs DROP CONSTRAINT jobs_params_check`;
    const [{ id: notArray } = { id: '' }] = await insertNotArray();
    let finished = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('failed', () => finished++);
    worker.events.on('completed', () => finished++);
    await worker.start();
    await waitFor(() => finished === 3);
    await worker.stop();
    await sql.unsafe(`ALTER TABLE jobs ADD CONSTRAINT jobs_params_check ${check?.def ?? ''}`);
    expect(calls).toEqual(['a@b.co']);
    expect((await getJob(pg.other, good!)).state).toBe('completed');
    for (const id of [badSchema!, notArray]) {
      const job = await getJob(pg.other, id);
      expect(job).toMatchObject({ state: 'failed', attempt: 1 });
      expect(job.errors[0]).toMatchObject({ name: 'ValidationError' });
      expect(job.errors[0]?.message).toMatch(/^params/);
    }
  });

  it('turns thrown non-Errors into clear error entries and bounds long messages', async () => {
    const handlers = defineHandlers({
      odd: {
        text: () => {
          throw 'just a string';
        },
        object: () => {
          throw { code: 42 };
        },
        nothing: () => {
          throw undefined;
        },
        long: () => {
          throw new Error('x'.repeat(10_000));
        },
      },
    });
    const ids = await pg.insert(
      ...['text', 'object', 'nothing', 'long'].map((method) => ({
        handler: 'odd',
        method,
        params: [],
        maxAttempts: 1,
      })),
    );
    let failed = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('failed', () => failed++);
    await worker.start();
    await waitFor(() => failed === 4);
    await worker.stop();
    const errors = await Promise.all(ids.map(async (id) => (await getJob(pg.other, id)).errors[0]));
    expect(errors.map((e) => [e?.name, e?.message])).toEqual([
      [NON_ERROR_NAME, 'the handler threw a non-Error value: "just a string"'],
      [NON_ERROR_NAME, 'the handler threw a non-Error value: {"code":42}'],
      [NON_ERROR_NAME, 'the handler threw a non-Error value: undefined'],
      ['Error', expect.stringMatching(/^x+…$/)],
    ]);
    expect(errors[3]?.message.length).toBe(MAX_ERROR_MESSAGE_LENGTH);
  });

  it('stores the return value when it survives JSON, null otherwise', async () => {
    const handlers = defineHandlers({
      values: {
        json: () => ({ a: [1, 'two', null] }),
        cyclic: () => {
          const o: { self?: unknown } = {};
          o.self = o;
          return o;
        },
        bigint: () => 10n,
        none: () => undefined,
      },
    });
    const ids = await pg.insert(
      ...['json', 'cyclic', 'bigint', 'none'].map((method) => ({
        handler: 'values',
        method,
        params: [],
      })),
    );
    let completed = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('completed', () => completed++);
    await worker.start();
    await waitFor(() => completed === 4);
    await worker.stop();
    const jobs = await Promise.all(ids.map((id) => getJob(pg.other, id)));
    expect(jobs.map((j) => [j.state, j.result])).toEqual([
      ['completed', { a: [1, 'two', null] }],
      ['completed', null],
      ['completed', null],
      ['completed', null],
    ]);
  });

  it('times out an attempt that ignores its signal, retries it, and discards the late result', async () => {
    let calls = 0;
    let sawAbort = false;
    const handlers = defineHandlers({
      slow: {
        async run() {
          calls++;
          const { signal } = (await import('../src/context.js')).jobContext();
          signal.addEventListener('abort', () => {
            sawAbort = true;
          });
          if (calls === 1) await new Promise((r) => setTimeout(r, 3_000));
          return calls;
        },
      },
    });
    const [id = ''] = await pg.insert({
      handler: 'slow',
      method: 'run',
      params: [],
      timeoutMs: 150,
      maxAttempts: 2,
      backoff: { kind: 'fixed', delayMs: 0 },
    });
    const worker = testWorker({ store: pg.store, handlers });
    await worker.start();
    const started = Date.now();
    const job = await waitFor(async () => {
      const j = await getJob(pg.other, id);
      return j.state === 'completed' ? j : null;
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    await worker.stop();
    expect(sawAbort).toBe(true);
    expect(job.attempt).toBe(2);
    expect(job.result).toBe(2);
    expect(job.errors[0]).toMatchObject({ attempt: 1, name: 'TimeoutError' });
    expect(job.errors[0]?.message).toContain('150 ms');
  });
  it('keeps what the handler reports from its abort listener when the attempt times out', async () => {
    const handlers = defineHandlers({
      slow: {
        async run() {
          const ctx = jobContext();
          ctx.signal.addEventListener('abort', () => {
            ctx.log(`cleaning up after ${(ctx.signal.reason as Error).name}`);
            ctx.progress(99);
          });
          await new Promise((r) => setTimeout(r, 2_000));
        },
      },
    });
    const [id = ''] = await pg.insert({
      handler: 'slow',
      method: 'run',
      params: [],
      timeoutMs: 100,
      maxAttempts: 1,
    });
    let failed = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('failed', () => failed++);
    await worker.start();
    await waitFor(() => failed === 1);
    await worker.stop({ graceMs: 0 });
    const job = await getJob(pg.other, id);
    expect(job.state).toBe('failed');
    expect(job.logs.map((l) => l.line)).toEqual(['cleaning up after TimeoutError']);
    expect(job.progress).toBe(99);
  });
});
