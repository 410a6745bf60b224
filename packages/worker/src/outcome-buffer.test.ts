import {
  type AttemptCompletion,
  type AttemptFailure,
  insertedJob,
  type JobStore,
  StoreRejectedError,
  StoreUnavailableError,
} from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { describe, expect, it } from 'vitest';
import { HeldJobs } from './held.js';
import { type BufferedOutcome, OutcomeBuffer } from './outcome-buffer.js';

/** A store whose writes answer as `decide` says; every write is counted. */
type Decide = (ids: readonly string[], kind: 'complete' | 'fail') => 'ok' | 'refuse' | 'down';

function writingStore(decide: Decide) {
  const writes: { kind: string; ids: string[] }[] = [];
  const answer = (
    kind: 'complete' | 'fail',
    jobs: readonly (AttemptCompletion | AttemptFailure)[],
  ) => {
    const ids = jobs.map((job) => job.id);
    writes.push({ kind, ids });
    const verdict = decide(ids, kind);
    if (verdict === 'refuse') return Promise.reject(new StoreRejectedError('refused: test'));
    if (verdict === 'down') return Promise.reject(new StoreUnavailableError('down: test'));
    return Promise.resolve(ids);
  };
  const store = {
    jobComplete: ({ jobs }: { jobs: readonly AttemptCompletion[] }) => answer('complete', jobs),
    jobFail: ({ jobs }: { jobs: readonly AttemptFailure[] }) => answer('fail', jobs),
  } as unknown as JobStore;
  return { store, writes };
}

function setup(decide: Decide, intervalMs = 1, nowMs?: () => number) {
  const { store, writes } = writingStore(decide);
  const held = new HeldJobs();
  const recorded: BufferedOutcome[] = [];
  const givenUp: string[] = [];
  const storeErrors: unknown[] = [];
  const buffer = new OutcomeBuffer({
    store,
    workerId: 'w',
    intervalMs,
    ...(nowMs === undefined ? {} : { nowMs }),
    maxBatch: 100,
    backoff: { baseMs: 1, maxMs: 2 },
    random: () => 0,
    now: () => new Date(0),
    onRecorded: (item) => recorded.push(item),
    onRefused: () => {},
    onGivenUp: (item) => givenUp.push(item.held.job.id),
    onStoreError: (error) => storeErrors.push(error),
  });
  let next = 1;
  const add = (count: number, limited = false) => {
    for (let n = 0; n < count; n++) {
      const i = next++;
      const claimed = {
        ...insertedJob(newJob(), {
          id: String(i),
          state: 'queued',
          runAt: new Date(0),
          createdAt: new Date(0),
        }),
        attempt: 1,
      };
      const entry = held.hold(limited ? { ...claimed, limited: true } : claimed);
      if (entry === null) throw new Error('held twice');
      buffer.add({ kind: 'complete', held: entry, result: i, durationMs: 1 });
    }
  };
  return { buffer, writes, recorded, givenUp, storeErrors, add };
}

describe('OutcomeBuffer', () => {
  it('writes a limited outcome at once, with whatever waits, instead of after the interval', async () => {
    const t = setup(() => 'ok', 60_000);
    // Into a quiet buffer the first outcome goes at once ...
    t.add(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.writes).toEqual([{ kind: 'complete', ids: ['1'] }]);
    // ... and after that write, plain outcomes wait out the interval (a minute here).
    t.add(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.writes).toHaveLength(1);
    t.add(1, true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.writes).toEqual([
      { kind: 'complete', ids: ['1'] },
      { kind: 'complete', ids: ['2', '3', '4'] },
    ]);
    // The next plain outcome waits again.
    t.add(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.writes).toHaveLength(2);
    t.buffer.close();
  });

  it('writes at once into a quiet buffer, and batches what arrives within the interval of a write', async () => {
    let clock = 0;
    const t = setup(
      () => 'ok',
      10,
      () => clock,
    );
    // Outcomes of one turn of the event loop share the first write.
    t.add(3);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.writes).toEqual([{ kind: 'complete', ids: ['1', '2', '3'] }]);
    // Within 10 ms of that write's end, the next ones wait for the timer.
    clock = 4;
    t.add(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.writes).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(t.writes[1]).toEqual({ kind: 'complete', ids: ['4', '5'] });
    // Quiet for longer than the interval since that write: at once again.
    clock = 100;
    t.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.writes[2]).toEqual({ kind: 'complete', ids: ['6'] });
    t.buffer.close();
  });

  it('halves a refused batch until the outcome at fault stands alone, and records it as a failure', async () => {
    const t = setup((ids, kind) => (kind === 'complete' && ids.includes('13') ? 'refuse' : 'ok'));
    t.add(32);
    expect(await t.buffer.drain(1_000)).toBe(0);
    const byId = new Map(t.recorded.map((item) => [item.held.job.id, item]));
    expect(byId.size).toBe(32);
    const poison = byId.get('13');
    expect(poison).toMatchObject({ kind: 'fail', outcome: { state: 'failed' }, standIn: true });
    expect(poison?.kind === 'fail' ? poison.error.name : '').toBe('OutcomeNotStorableError');
    expect([...byId.values()].filter((item) => item.kind === 'complete')).toHaveLength(31);
    // 32 -> 16 -> 8 -> 4 -> 2 -> 1: six refused completion writes, then the stand-in.
    expect(t.writes.filter((w) => w.kind === 'complete' && w.ids.includes('13'))).toHaveLength(6);
    expect(t.storeErrors).toEqual([]);
  });

  it('gives an outcome up when even its stand-in is refused, instead of writing it forever', async () => {
    const t = setup((ids) => (ids.includes('2') ? 'refuse' : 'ok'));
    t.add(3);
    expect(await t.buffer.drain(1_000)).toBe(0);
    expect(t.givenUp).toEqual(['2']);
    expect(t.recorded.map((item) => item.held.job.id).sort()).toEqual(['1', '3']);
    expect(t.writes.length).toBeLessThan(8);
  });

  it('keeps every outcome through a store that is down, and writes them when it is back', async () => {
    let down = true;
    const t = setup(() => (down ? 'down' : 'ok'));
    t.add(5);
    expect(await t.buffer.drain(30)).toBe(5);
    expect(t.storeErrors.length).toBeGreaterThan(0);
    down = false;
    expect(await t.buffer.drain(1_000)).toBe(0);
    expect(t.recorded.map((item) => item.kind)).toEqual(Array(5).fill('complete'));
  });
});
