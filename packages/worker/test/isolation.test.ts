import { fileURLToPath } from 'node:url';
import { defineHandlers, handler } from '@jobs/core';
import { isAlive } from '@jobs/storage/testing';
import { describe, expect, it } from 'vitest';
import { getJob, newJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

const MODULE = fileURLToPath(new URL('./fixtures/isolated.mjs', import.meta.url));

/** The parent's copy of the isolated handler: only its method names matter (the allow-list). */
const isolatedStub = {
  add: (_a: number, _b: number): number => 0,
  fail: (_message: string): void => {},
  permanent: (): void => {},
  throwString: (): void => {},
  crash: (_code: number): void => {},
  report: (): void => {},
  loopForever: (): void => {},
  sumParents: (): void => {},
};

const handlers = defineHandlers({
  iso: handler(isolatedStub, { isolate: { module: MODULE } }),
  named: handler(
    { hello: (_name: string) => '' },
    { isolate: { module: MODULE, exportName: 'other' } },
  ),
});

describe('isolated handlers (child processes)', () => {
  const pg = usePg('isolation');
  trackWorkers();

  it('returns results, progress and log lines from the child; honours exportName', async () => {
    const ids = await pg.insert(
      { handler: 'iso', method: 'add', params: [2, 3] },
      { handler: 'iso', method: 'report', params: [] },
      { handler: 'named', method: 'hello', params: ['child'] },
    );
    let completed = 0;
    const worker = testWorker({ store: pg.store, handlers });
    worker.events.on('completed', () => completed++);
    await worker.start();
    await waitFor(() => completed === 3, 10_000);
    await worker.stop();
    const [add, report, hello] = await Promise.all(ids.map((id) => getJob(pg.other, id)));
    expect(add?.result).toBe(5);
    expect(report?.result).toEqual({ id: ids[1], attempt: 1 });
    expect(report?.progress).toMatchObject({ step: 1 });
    expect(report?.logs.map((l) => l.line)).toEqual(['hello from the child']);
    expect(hello?.result).toBe('hello child');
  });

  it('gives an isolated fan-in its dependencies’ results through jobContext().parents()', async () => {
    const flowInsert = pg.other.flowInsert;
    if (flowInsert === undefined) throw new Error('no flows');
    const jobs = await flowInsert({
      jobs: [
        newJob({ handler: 'iso', method: 'add', params: [2, 3] }),
        newJob({ handler: 'iso', method: 'add', params: [10, 20] }),
        newJob({ handler: 'iso', method: 'sumParents', params: [] }),
      ],
      keys: ['x', 'y', 'sum'],
      dependencies: [
        { job: 2, on: { index: 0 }, policy: 'cancel' },
        { job: 2, on: { index: 1 }, policy: 'cancel' },
      ],
    });
    const sinkId = jobs[2]?.id ?? '';
    const worker = testWorker({ store: pg.store, handlers });
    await worker.start();
    await waitFor(async () => (await getJob(pg.other, sinkId)).state === 'completed', 15_000);
    await worker.stop();
    const sink = await getJob(pg.other, sinkId);
    expect(sink.result).toMatchObject({ sum: 35, keys: ['x', 'y'] });
    expect((sink.result as { pid: number }).pid).not.toBe(process.pid);
  });

  it('records errors thrown in the child, permanent ones included; a crash fails only that attempt', async () => {
    const ids = await pg.insert(
      { handler: 'iso', method: 'fail', params: ['bad'], maxAttempts: 1 },
      { handler: 'iso', method: 'permanent', params: [], maxAttempts: 3 },
      { handler: 'iso', method: 'throwString', params: [], maxAttempts: 1 },
      {
        handler: 'iso',
        method: 'crash',
        params: [3],
        maxAttempts: 2,
        backoff: { kind: 'fixed', delayMs: 0 },
      },
      { handler: 'iso', method: 'add', params: [1, 1] },
    );
    const worker = testWorker({ store: pg.store, handlers });
    await worker.start();
    const jobs = await waitFor(async () => {
      const all = await Promise.all(ids.map((id) => getJob(pg.other, id)));
      return all.every((j) => j.state === 'failed' || j.state === 'completed') ? all : null;
    }, 15_000);
    await worker.stop();
    const [fail, permanent, text, crash, add] = jobs;
    expect(fail?.errors[0]).toMatchObject({ name: 'TypeError', message: 'bad' });
    expect(fail?.errors[0]?.stack).toContain('isolated.mjs');
    expect(permanent).toMatchObject({ state: 'failed', attempt: 1 });
    expect(text?.errors[0]?.message).toBe('the handler threw a non-Error value: "plain string"');
    expect(crash?.state).toBe('failed');
    expect(crash?.errors.map((e) => [e.name, e.message])).toEqual([
      [
        'IsolatedProcessError',
        "the isolated handler's process exited with code 3 before answering",
      ],
      [
        'IsolatedProcessError',
        "the isolated handler's process exited with code 3 before answering",
      ],
    ]);
    expect(add?.state).toBe('completed');
  });

  it('kills a child that loops forever when its job is cancelled', async () => {
    const [id = ''] = await pg.insert({ handler: 'iso', method: 'loopForever', params: [] });
    let cancelled = 0;
    const worker = testWorker({ store: pg.store, handlers, killGraceMs: 200 });
    worker.events.on('cancelled', () => cancelled++);
    await worker.start();
    const pid = await waitFor(async () => {
      const progress = (await getJob(pg.other, id)).progress as { pid?: number } | null;
      return progress?.pid;
    }, 5_000);
    expect(isAlive(pid)).toBe(true);
    await pg.other.jobCancel({ ids: [id] });
    await waitFor(() => cancelled === 1, 2_000);
    await waitFor(() => !isAlive(pid), 2_000, 'the child is gone');
    await worker.stop();
    expect((await getJob(pg.other, id)).state).toBe('cancelled');
  });

  it('kills a child past its timeout and fails the attempt with a TimeoutError', async () => {
    const [id = ''] = await pg.insert({
      handler: 'iso',
      method: 'loopForever',
      params: [],
      timeoutMs: 500,
      maxAttempts: 1,
    });
    const worker = testWorker({ store: pg.store, handlers, killGraceMs: 200 });
    await worker.start();
    const job = await waitFor(async () => {
      const j = await getJob(pg.other, id);
      return j.state === 'failed' ? j : null;
    }, 5_000);
    await worker.stop();
    const pid = (job.progress as { pid?: number } | null)?.pid;
    expect(job.errors[0]?.name).toBe('TimeoutError');
    if (pid !== undefined) await waitFor(() => !isAlive(pid), 2_000, 'the child is gone');
  });
});
