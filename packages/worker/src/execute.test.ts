import { defineHandlers, insertedJob, type Job } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { AttemptStop } from './attempt-stop.js';
import { jobContext } from './context.js';
import { JobCancelledError } from './errors.js';
import { type AttemptDeps, runAttempt } from './execute.js';

const hostile = new Proxy(
  {},
  {
    get() {
      throw new Error('trap');
    },
    getPrototypeOf() {
      throw new Error('trap');
    },
  },
);

const calls: string[] = [];
const handlers = defineHandlers({
  h: {
    plain: () => 42,
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise, on purpose
    thenable: () => ({ then: (resolve: (v: unknown) => void) => resolve('later') }),
    badThen: () =>
      Object.defineProperty({}, 'then', {
        get() {
          throw new Error('then getter');
        },
      }),
    throwsHostile: () => {
      throw hostile;
    },
    rejectsHostile: () => Promise.reject(hostile),
    recordsCall: () => {
      calls.push('ran');
      return null;
    },
    waitsForAbort: async () => {
      const { signal } = jobContext();
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      return signal.reason;
    },
  },
});

const reporter = { progress: () => {}, log: () => {} };
const deps: AttemptDeps = {
  registry: handlers as AttemptDeps['registry'],
  parents: async () => [],
  isolation: { killGraceMs: 100, execArgv: [], cwd: process.cwd() },
};

function job(method: string): Job {
  const spec = newJob({ handler: 'h', method, params: [], maxAttempts: 1 });
  const now = new Date();
  return {
    ...insertedJob(spec, { id: '1', state: 'running', runAt: now, createdAt: now }),
    attempt: 1,
  };
}

describe('runAttempt', () => {
  it('completes with a plain value and with what a thenable resolves to', async () => {
    expect(await runAttempt(job('plain'), new AttemptStop(), deps, reporter)).toEqual({
      kind: 'completed',
      value: 42,
    });
    expect(await runAttempt(job('thenable'), new AttemptStop(), deps, reporter)).toEqual({
      kind: 'completed',
      value: 'later',
    });
  });

  it('fails, without throwing or hanging, on values whose inspection throws', async () => {
    const unhandled = vi.fn();
    process.on('uncaughtException', unhandled);
    try {
      for (const method of ['badThen', 'throwsHostile', 'rejectsHostile']) {
        const result = await runAttempt(job(method), new AttemptStop(), deps, reporter);
        expect(result.kind, method).toBe('failed');
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('uncaughtException', unhandled);
    }
  });

  it('never runs a handler whose attempt was stopped before it started', async () => {
    calls.length = 0;
    const stop = new AttemptStop();
    const pending = runAttempt(job('recordsCall'), stop, deps, reporter);
    stop.stop(new JobCancelledError('1'));
    expect(await pending).toMatchObject({ kind: 'aborted' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toEqual([]);
  });

  it("aborts the handler's signal with the stop's reason", async () => {
    const stop = new AttemptStop();
    const reason = new JobCancelledError('1');
    const pending = runAttempt(job('waitsForAbort'), stop, deps, reporter);
    await new Promise((resolve) => setTimeout(resolve, 5));
    stop.stop(reason);
    expect(await pending).toEqual({ kind: 'aborted', reason });
  });
});
