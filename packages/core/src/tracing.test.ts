import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { defineHandlers } from './handlers.js';
import type { Job } from './job.js';
import type { JobStore, NewJob } from './store.js';
import { readTraceCarrier } from './tracing.js';

describe('readTraceCarrier', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('keeps what a W3C propagator writes', () => {
    expect(readTraceCarrier({ traceparent, tracestate: 'congo=t61rcWkgMzE' })).toEqual({
      traceparent,
      tracestate: 'congo=t61rcWkgMzE',
    });
  });

  it('drops anything else: NUL, lone surrogates, non-ASCII, huge, nested, non-objects', () => {
    expect(readTraceCarrier(null)).toBeNull();
    expect(readTraceCarrier('traceparent')).toBeNull();
    expect(readTraceCarrier([traceparent])).toBeNull();
    expect(readTraceCarrier({})).toBeNull();
    expect(
      readTraceCarrier({
        traceparent,
        nul: 'a\u0000b',
        lone: 'x\ud800',
        accent: 'caf\u00e9',
        huge: 'x'.repeat(100_000),
        nested: { deep: { deeper: [1, 2, 3] } },
        number: 7,
        'bad key': 'v',
        [`k${'\u0000'}`]: 'v',
      }),
    ).toEqual({ traceparent });
  });

  it('keeps at most 8 fields', () => {
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v']));
    expect(Object.keys(readTraceCarrier(many) ?? {})).toHaveLength(8);
  });
});

describe('enqueue without an OpenTelemetry SDK', () => {
  it('stores no trace context', async () => {
    const seen: NewJob[] = [];
    const store = {
      jobInsert: async ({ jobs }: { jobs: readonly NewJob[] }) => {
        seen.push(...jobs);
        return jobs.map((job, i) => ({ ...job, id: String(i + 1) }) as unknown as Job);
      },
    } as unknown as JobStore;
    const client = createClient(store, defineHandlers({ mail: { send: (_to: string) => 1 } }));
    await client.enqueue('mail', 'send', ['a@b.c']);
    await client.enqueueMany([{ handler: 'mail', method: 'send', params: ['x@y.z'] }]);
    expect(seen.map((job) => job.traceContext ?? null)).toEqual([null, null]);
  });
});
