import { defineHandlers, insertedJob, type Job } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { AttemptStop } from './attempt-stop.js';
import { jobContext } from './context.js';
import { JobCancelledError } from './errors.js';
import { type AttemptDeps, type AttemptResult, runAttempt } from './execute.js';

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
let observe = () => {};
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
    observes: () => {
      observe();
      return null;
    },
    observesLater: async () => {
      observe();
      await new Promise((resolve) => setTimeout(resolve, 1));
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

/** Runs an attempt as the executor does (no trace context); resolves with what it came to. */
function attempt(job: Job, stop: AttemptStop): Promise<AttemptResult> {
  return new Promise((resolve) => runAttempt(job, stop, deps, reporter, (call) => call(), resolve));
}

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
    expect(await attempt(job('plain'), new AttemptStop())).toEqual({
      kind: 'completed',
      value: 42,
    });
    expect(await attempt(job('thenable'), new AttemptStop())).toEqual({
      kind: 'completed',
      value: 'later',
    });
  });

  it('fails, without throwing or hanging, on values whose inspection throws', async () => {
    const unhandled = vi.fn();
    process.on('uncaughtException', unhandled);
    try {
      for (const method of ['badThen', 'throwsHostile', 'rejectsHostile']) {
        const result = await attempt(job(method), new AttemptStop());
        expect(result.kind, method).toBe('failed');
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('uncaughtException', unhandled);
    }
  });

  it('ends a handler that returns a plain value before it returns, with no promise', () => {
    const seen: AttemptResult[] = [];
    runAttempt(
      job('plain'),
      new AttemptStop(),
      deps,
      reporter,
      (call) => call(),
      (result) => {
        seen.push(result);
      },
    );
    expect(seen).toEqual([{ kind: 'completed', value: 42 }]);
  });

  it('calls the handler within what the caller wraps it in, and settles outside it', async () => {
    const seen: string[] = [];
    let wrapping = false;
    const within = <T>(call: () => T): T => {
      wrapping = true;
      try {
        return call();
      } finally {
        wrapping = false;
      }
    };
    observe = () => seen.push(wrapping ? 'handler inside' : 'handler outside');
    for (const method of ['observes', 'observesLater']) {
      await new Promise<void>((resolve) =>
        runAttempt(job(method), new AttemptStop(), deps, reporter, within, () => {
          seen.push(wrapping ? 'settled inside' : 'settled outside');
          resolve();
        }),
      );
    }
    expect(seen).toEqual([
      'handler inside',
      'settled outside',
      'handler inside',
      'settled outside',
    ]);
  });

  it('never runs a handler whose attempt was stopped before it started', async () => {
    calls.length = 0;
    const stop = new AttemptStop();
    stop.stop(new JobCancelledError('1'));
    expect(await attempt(job('recordsCall'), stop)).toMatchObject({ kind: 'aborted' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toEqual([]);
  });

  it("aborts the handler's signal with the stop's reason", async () => {
    const stop = new AttemptStop();
    const reason = new JobCancelledError('1');
    const pending = attempt(job('waitsForAbort'), stop);
    await new Promise((resolve) => setTimeout(resolve, 5));
    stop.stop(reason);
    expect(await pending).toEqual({ kind: 'aborted', reason });
  });
});
