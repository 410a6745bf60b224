import { EventEmitter } from 'node:events';
import { defineHandlers, handler } from '@jobs/core';
import { Batch, Bus, Cache, Mailer, SalesReport } from '@jobs/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

// The allow-list through the HTTP API: nothing a handler inherits from a built-in class can be
// enqueued or is listed, a TypeScript `private` method runs unless `methods` leaves it out, and
// the application's own class hierarchy keeps working.

const bus = new Bus();
const registry = defineHandlers({
  bus,
  cache: new Cache(),
  batch: Object.create(Batch.prototype) as Batch,
  mailer: new Mailer(),
  guarded: handler(new Mailer(), { methods: ['send'] }),
  sales: new SalesReport(),
});

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('allowlist', { handlers: registry });
});
beforeEach(async () => {
  await api.schema.truncate();
});
afterAll(async () => {
  await api.close();
});

async function enqueue(handlerName: string, method: string, params: unknown[] = []) {
  return api.call('POST', '/api/jobs', { json: { handler: handlerName, method, params } });
}

async function jobCount(): Promise<number> {
  const page = await api.store.jobList({ limit: 100 });
  return page.jobs.length;
}

describe('the allow-list through the API', () => {
  it('lists only the methods the application declares', async () => {
    const res = await api.call('GET', '/api/handlers');
    expect(res.status).toBe(200);
    const { handlers } = await res.json();
    const methods = Object.fromEntries(
      handlers.map((h: { name: string; methods: { name: string }[] }) => [
        h.name,
        h.methods.map((m) => m.name),
      ]),
    );
    expect(methods).toEqual({
      bus: ['publish'],
      cache: ['remember'],
      batch: ['total'],
      mailer: ['send', 'render'],
      guarded: ['send'],
      sales: ['build', 'header'],
    });
  });

  it.each([
    ['bus', 'emit', ['error']],
    ['bus', 'setMaxListeners', [99]],
    ['bus', 'removeAllListeners', []],
    ['bus', 'on', ['x']],
    ['cache', 'set', ['k', 1]],
    ['cache', 'clear', []],
    ['cache', 'forEach', []],
    ['batch', 'push', [1]],
    ['batch', 'fill', [0]],
    ['batch', 'splice', [0, 1]],
    ['guarded', 'render', ['ann']],
  ])(
    'answers 400 naming the method for %s.%s, and stores nothing',
    async (name, method, params) => {
      const res = await enqueue(name, method, params);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toMatchObject({ code: 'unknown_handler', field: 'method' });
      expect(body.error.message).toContain(`"${method}"`);
      expect(await jobCount()).toBe(0);
      expect(bus.getMaxListeners()).toBe(EventEmitter.defaultMaxListeners);
    },
  );

  it('enqueues declared methods, inherited ones of application classes included', async () => {
    for (const [name, method] of [
      ['bus', 'publish'],
      ['sales', 'build'],
      ['sales', 'header'],
      ['guarded', 'send'],
      // TypeScript private is not enforced at run time: only `methods` keeps it out.
      ['mailer', 'render'],
    ] as const) {
      // Each with the count of params the method declares (checked without a schema).
      const res = await enqueue(
        name,
        method,
        ['publish', 'send', 'render'].includes(method) ? ['news'] : [],
      );
      expect(res.status, `${name}.${method}`).toBe(201);
      expect(await res.json()).toMatchObject({ handler: name, method, state: 'queued' });
    }
    expect(await jobCount()).toBe(5);
  });
});
