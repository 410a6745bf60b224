import type { StoreEvent } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';
import { sseReader } from './sse.js';

let api: TestApi;
let listening = 0;

beforeAll(async () => {
  api = await createTestApi('events', {
    heartbeatMs: 100,
    // The store's own LISTEN, counted, to see that streams share one and give it back.
    events: async (listener: (event: StoreEvent) => void) => {
      const stop = await api.store.eventListen(listener);
      listening += 1;
      return async () => {
        listening -= 1;
        await stop();
      };
    },
  });
});
afterAll(async () => {
  await api.close();
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('GET /api/events', () => {
  it('streams job changes made by another process, in order', async () => {
    const res = await api.call('GET', '/api/events');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sse = sseReader(res.body!);
    expect((await sse.nextEvent()).event).toBe('ready');

    const other = api.another();
    const [job] = await other.jobInsert({ jobs: [newJob()] });
    await other.jobClaim({ workerId: 'w', queues: null, limit: 1, leaseMs: 60_000 });
    await other.jobProgressSet({ workerId: 'w', id: job!.id, attempt: 1, progress: 50 });
    await other.jobComplete({ workerId: 'w', jobs: [{ id: job!.id, attempt: 1, result: 1 }] });

    const seen = [];
    for (let i = 0; i < 4; i++) {
      const frame = await sse.nextEvent();
      seen.push([frame.event, JSON.parse(frame.data ?? '{}')]);
    }
    expect(seen).toEqual([
      ['created', { ids: [job!.id], state: 'queued' }],
      ['started', { ids: [job!.id], state: 'running' }],
      ['progress', { ids: [job!.id], state: 'running' }],
      ['completed', { ids: [job!.id], state: 'completed' }],
    ]);
    await sse.cancel();
    await waitFor(() => listening === 0);
  });

  it('keeps only the changes asked for, and sends heartbeats while idle', async () => {
    const res = await api.call('GET', '/api/events?types=cancelled,deleted');
    const sse = sseReader(res.body!);
    expect((await sse.nextEvent()).event).toBe('ready');
    expect((await sse.next(2_000)).comment).toBe('heartbeat');
    const [job] = await api.another().jobInsert({ jobs: [newJob()] });
    await api.call('POST', `/api/jobs/${job!.id}/cancel`);
    const frame = await sse.nextEvent();
    expect(frame.event).toBe('cancelled');
    expect(JSON.parse(frame.data ?? '')).toEqual({ ids: [job!.id], state: 'cancelled' });
    await sse.cancel();
  });

  it('shares one LISTEN among streams and stops it when the last one leaves', async () => {
    const a = sseReader((await api.call('GET', '/api/events')).body!);
    const b = sseReader((await api.call('GET', '/api/events')).body!);
    await a.nextEvent();
    await b.nextEvent();
    expect(listening).toBe(1);
    await a.cancel();
    await new Promise((r) => setTimeout(r, 150));
    expect(listening).toBe(1);
    await b.cancel();
    await waitFor(() => listening === 0);
  });

  it('stops when the request is aborted', async () => {
    const controller = new AbortController();
    const res = await api.app.request('/api/events', { signal: controller.signal });
    const sse = sseReader(res.body!);
    await sse.nextEvent();
    expect(listening).toBe(1);
    controller.abort();
    await waitFor(() => listening === 0);
  });

  it('refuses an unknown change type', async () => {
    const res = await api.call('GET', '/api/events?types=exploded');
    expect(res.status).toBe(400);
    expect((await res.json()).error.field).toBe('types.0');
  });
});
