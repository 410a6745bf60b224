import type { StoreEvent } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEvents } from '../src/sql/events.js';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('parseEvents', () => {
  it('reads a change payload into one event per state', () => {
    expect(
      parseEvents('{"type":"changed","op":"fail","states":{"retrying":["1"],"failed":["2","3"]}}'),
    ).toEqual([
      { type: 'changed', change: 'retrying', state: 'retrying', ids: ['1'] },
      { type: 'changed', change: 'failed', state: 'failed', ids: ['2', '3'] },
    ]);
  });

  it('adds the workers’ signals: cancelled for cancels, inserted for retries and releases', () => {
    expect(parseEvents('{"type":"changed","op":"cancel","states":{"cancelled":["7"]}}')).toEqual([
      { type: 'cancelled', ids: ['7'] },
      { type: 'changed', change: 'cancelled', state: 'cancelled', ids: ['7'] },
    ]);
    expect(parseEvents('{"type":"changed","op":"retry","states":{"queued":["7"]}}')).toEqual([
      { type: 'inserted' },
      { type: 'changed', change: 'retried', state: 'queued', ids: ['7'] },
    ]);
  });

  it('still reads the plain wake-up and cancel payloads', () => {
    expect(parseEvents('{"type":"inserted"}')).toEqual([{ type: 'inserted' }]);
    expect(parseEvents('{"type":"cancelled","ids":["5"]}')).toEqual([
      { type: 'cancelled', ids: ['5'] },
    ]);
  });

  it('drops whatever is not one of its payloads, without throwing', () => {
    for (const payload of [
      '',
      'null',
      '[]',
      '{"type":"changed","op":"explode","states":{"queued":["1"]}}',
      '{"type":"changed","op":"claim","states":{"running":[1]}}',
      '{"type":"changed","op":"claim","states":{"nope":["1"]}}',
      '{"type":"changed","op":"toString","states":{"running":["1"]}}',
      '{"type":"cancelled","ids":"1"}',
    ]) {
      expect(parseEvents(payload)).toEqual([]);
    }
  });
});

describe('job-change notifications', () => {
  let schema: TestSchema;
  let store: PgJobStore;
  let listener: PgJobStore;
  let events: StoreEvent[];
  let payloads: string[];
  let stop: () => Promise<void>;
  let stopRaw: () => Promise<void>;

  beforeAll(async () => {
    schema = await createTestSchema('events');
    store = createPgStore({ url: schema.url, schema: schema.schema, max: 4 });
    listener = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
    stop = await listener.eventListen((e) => events.push(e));
    const raw = await listener.connection.sql.listen(listener.connection.channel, (p) =>
      payloads.push(p),
    );
    stopRaw = () => raw.unlisten();
  });

  beforeEach(async () => {
    await schema.truncate();
    events = [];
    payloads = [];
  });

  afterAll(async () => {
    await stop();
    await stopRaw();
    await Promise.all([store.close(), listener.close()]);
    await schema.drop();
  });

  const changes = () =>
    events.flatMap((e) => (e.type === 'changed' ? [`${e.change}:${e.state}:${e.ids.length}`] : []));

  it('announces each state change of a batch in one notification', async () => {
    const jobs = await store.jobInsert({
      jobs: [newJob(), newJob(), newJob({ maxAttempts: 1 }), newJob({ runAt: { delayMs: 1e6 } })],
    });
    await waitFor(() => changes().length >= 2);
    expect(changes().sort()).toEqual(['created:queued:3', 'created:scheduled:1']);
    expect(payloads).toHaveLength(1);

    const claimed = await store.jobClaim({
      workerId: 'w',
      queues: null,
      limit: 3,
      leaseMs: 60_000,
    });
    await waitFor(() => changes().includes('started:running:3'));
    const at = new Date().toISOString();
    const [a, b, c] = claimed;
    await store.jobComplete({ workerId: 'w', jobs: [{ id: a!.id, attempt: 1, result: null }] });
    await store.jobFail({
      workerId: 'w',
      jobs: [b!, c!].map((job) => ({
        id: job.id,
        attempt: 1,
        error: { attempt: 1, message: 'x', name: 'Error', at },
        outcome:
          job.maxAttempts === 1
            ? { state: 'failed' as const }
            : { state: 'retrying' as const, delayMs: 0 },
      })),
    });
    await waitFor(() => changes().length >= 6);
    expect(changes().slice(3).sort()).toEqual([
      'completed:completed:1',
      'failed:failed:1',
      'retrying:retrying:1',
    ]);
    expect(payloads).toHaveLength(4); // insert, claim, complete, fail

    const failed = claimed.find((j) => j.maxAttempts === 1)!;
    await store.jobRetry({ ids: [failed.id] });
    await store.jobCancel({ ids: [jobs[3]!.id] });
    await store.jobDelete({ ids: [jobs[3]!.id] });
    await waitFor(() => changes().length >= 9);
    expect(changes().slice(6)).toEqual([
      'retried:queued:1',
      'cancelled:cancelled:1',
      'deleted:cancelled:1',
    ]);
    expect(events).toContainEqual({ type: 'cancelled', ids: [jobs[3]!.id] });
  });

  it('announces progress and releases of running jobs', async () => {
    await store.jobInsert({ jobs: [newJob()] });
    const [job] = await store.jobClaim({ workerId: 'w', queues: null, limit: 1, leaseMs: 60_000 });
    await store.jobProgressSet({ workerId: 'w', id: job!.id, attempt: 1, progress: 50 });
    await store.jobRelease({ workerId: 'w', jobs: [{ id: job!.id, attempt: 1 }] });
    await waitFor(() => changes().length >= 4);
    expect(changes()).toEqual([
      'created:queued:1',
      'started:running:1',
      'progress:running:1',
      'released:queued:1',
    ]);
  });

  it('splits a large batch into notifications of at most 250 ids, each under 8000 bytes', async () => {
    const jobs = await store.jobInsert({ jobs: Array.from({ length: 600 }, () => newJob()) });
    await waitFor(() => payloads.length >= 3);
    const cancelled = await store.jobCancel({ ids: jobs.map((j) => j.id) });
    expect(cancelled).toHaveLength(600);
    await waitFor(() => payloads.length >= 6);
    await new Promise((r) => setTimeout(r, 100));
    expect(payloads).toHaveLength(6);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    const created = events.flatMap((e) =>
      e.type === 'changed' && e.change === 'created' ? e.ids : [],
    );
    const told = events.flatMap((e) => (e.type === 'cancelled' ? e.ids : []));
    expect(new Set(created).size).toBe(600);
    expect(new Set(told).size).toBe(600);
  });

  it('sends nothing when a statement changes no job', async () => {
    await store.jobClaim({ workerId: 'w', queues: null, limit: 10, leaseMs: 1000 });
    await store.jobComplete({ workerId: 'w', jobs: [{ id: '1', attempt: 1, result: null }] });
    await store.jobCancel({ ids: ['1'] });
    await new Promise((r) => setTimeout(r, 150));
    expect(payloads).toEqual([]);
  });

  it('with change events off, a pool sends only what workers need: wake-ups and cancels', async () => {
    const quiet = createPgStore({ url: schema.url, schema: schema.schema, changeEvents: false });
    try {
      const [a, b] = await quiet.jobInsert({ jobs: [newJob(), newJob()] });
      await waitFor(() => payloads.length >= 1);
      const claimed = await quiet.jobClaim({
        workerId: 'q',
        queues: null,
        limit: 1,
        leaseMs: 60_000,
      });
      await quiet.jobComplete({
        workerId: 'q',
        jobs: claimed.map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
      });
      await quiet.jobCancel({ ids: [b!.id === claimed[0]!.id ? a!.id : b!.id] });
      await waitFor(() => events.some((e) => e.type === 'cancelled'));
      await new Promise((r) => setTimeout(r, 100));
      expect(payloads[0]).toBe('{"type":"inserted"}');
      expect(changes()).toEqual(['cancelled:cancelled:1']);
      expect(payloads).toHaveLength(2); // the bare wake-up and the cancel; no claim, no completion
    } finally {
      await quiet.close();
    }
  });
});
