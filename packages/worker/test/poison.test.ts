import { defineHandlers, isStorableText, type JsonValue, StoreRejectedError } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { getJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

const LONE_HIGH = '\uD83D';
const LONE_LOW = '\uDE00';

/** Every string and key in a JSON value, for checking what was stored. */
function texts(value: JsonValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(texts);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, element]) => [key, ...texts(element)]);
  }
  return [];
}

describe('outcomes PostgreSQL cannot hold as given', () => {
  trackWorkers();
  const pg = usePg('poison');

  it('records poison outcomes cleaned, and every other outcome of the batch, at once', async () => {
    let normalRuns = 0;
    const handlers = defineHandlers({
      ok: {
        run(n: number) {
          normalRuns += 1;
          return n;
        },
      },
      poison: {
        nul: () => 'a\u0000b',
        lone: () => ({ [`key${LONE_HIGH}`]: [`v${LONE_LOW}`, { deep: 'x\u0000' }] }),
        // The error message cut at 2,000 characters used to split the last emoji in half.
        cutEmoji: () => {
          throw new Error(`${'a'.repeat(1998)}${'😀'.repeat(10)}`);
        },
        nulError: () => {
          const error = new Error(`bad\u0000message ${LONE_LOW}`);
          error.name = `Name${LONE_HIGH}`;
          error.stack = `stack\u0000line\n  at ${LONE_HIGH}`;
          throw error;
        },
        nonError: () => {
          throw `thrown\u0000string${LONE_HIGH}`;
        },
      },
    });
    const poison = await pg.insert(
      ...['nul', 'lone', 'cutEmoji', 'nulError', 'nonError'].map((method) => ({
        handler: 'poison',
        method,
        params: [],
        maxAttempts: 1,
      })),
    );
    const normal = await pg.insert(
      ...Array.from({ length: 230 }, (_, i) => ({ handler: 'ok', method: 'run', params: [i] })),
    );
    const worker = testWorker({ store: pg.store, handlers, concurrency: 20, flushIntervalMs: 50 });
    await worker.start();
    await waitFor(
      async () => {
        const counts = await pg.other.jobCount();
        return counts.byState.completed + counts.byState.failed === 235;
      },
      10_000,
      'every job to finish',
    );
    await worker.stop();
    expect(normalRuns).toBe(230);
    for (const id of normal) expect((await getJob(pg.other, id)).state).toBe('completed');
    const [nul, lone, cutEmoji, nulError, nonError] = await Promise.all(
      poison.map((id) => getJob(pg.other, id)),
    );
    expect(nul).toMatchObject({ state: 'completed', result: 'a\uFFFDb' });
    expect(lone).toMatchObject({
      state: 'completed',
      result: { 'key\uFFFD': ['v\uFFFD', { deep: 'x\uFFFD' }] },
    });
    for (const job of [cutEmoji, nulError, nonError]) {
      expect(job?.state).toBe('failed');
      const [error] = job?.errors ?? [];
      for (const text of [error?.name, error?.message, error?.stack ?? '']) {
        expect(isStorableText(text ?? '')).toBe(true);
      }
    }
    expect(cutEmoji?.errors[0]?.message).toMatch(/^a{1998}…$/);
    expect(nulError?.errors[0]).toMatchObject({
      name: 'Name\uFFFD',
      message: 'bad\uFFFDmessage \uFFFD',
      stack: 'stack\uFFFDline\n  at \uFFFD',
    });
    expect(texts(nonError?.errors[0]?.message).every(isStorableText)).toBe(true);
  });

  it('isolates an outcome the store still refuses, records it as that job failing, and the rest as they were', async () => {
    const handlers = defineHandlers({
      ok: { run: (n: number) => n },
    });
    const ids = await pg.insert(
      ...Array.from({ length: 40 }, (_, i) => ({ handler: 'ok', method: 'run', params: [i] })),
    );
    const poisonId = ids[17] ?? '';
    const writes: number[] = [];
    // A store that refuses any completion batch holding one job, as it would a value it
    // cannot hold that nothing cleaned.
    const refusing = new Proxy(pg.store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== 'jobComplete' || typeof value !== 'function') return value;
        return (params: { jobs: readonly { id: string }[] }) => {
          writes.push(params.jobs.length);
          if (params.jobs.some((job) => job.id === poisonId)) {
            return Promise.reject(
              new StoreRejectedError('the database refused the statement: test', {
                sqlState: '22P05',
              }),
            );
          }
          return (value as (p: unknown) => unknown).call(target, params);
        };
      },
    });
    const worker = testWorker({
      store: refusing,
      handlers,
      concurrency: 40,
      flushIntervalMs: 200,
    });
    await worker.start();
    await waitFor(
      async () => {
        const counts = await pg.other.jobCount();
        return counts.byState.completed + counts.byState.failed === 40;
      },
      5_000,
      'every job to finish',
    );
    await worker.stop();
    const poisoned = await getJob(pg.other, poisonId);
    expect(poisoned.state).toBe('failed');
    expect(poisoned.errors).toHaveLength(1);
    expect(poisoned.errors[0]).toMatchObject({
      name: 'OutcomeNotStorableError',
      message: "the attempt's result could not be stored: the database refused the statement: test",
    });
    for (const id of ids) {
      if (id !== poisonId) expect((await getJob(pg.other, id)).state).toBe('completed');
    }
    // Halving: about log2(batch) refused writes, never one write per job.
    expect(writes.length).toBeLessThan(20);
  });
});
