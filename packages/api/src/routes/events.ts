import { createRoute, z } from '@hono/zod-openapi';
import { JOB_CHANGES, type JobChange, type StoreEvent } from '@jobs/core';
import { streamSSE } from 'hono/streaming';
import type { Deps } from '../deps.js';
import { createRouter } from '../router.js';
import { errorResponses } from './common.js';

/** Events a slow client may fall behind by before its stream is closed (it can reconnect). */
const MAX_PENDING = 10_000;

const eventsRoute = createRoute({
  method: 'get',
  path: '/events',
  operationId: 'streamEvents',
  tags: ['events'],
  summary: 'Server-sent events for job changes, from every process',
  description:
    'Each event is named after the change (created, started, progress, completed, retrying, ' +
    'failed, cancelled, retried, released, deleted); its data is `{"ids": [...], "state": ...}`. ' +
    'A `ready` event opens the stream; comment lines keep it alive.',
  request: {
    query: z.strictObject({
      types: z
        .preprocess(
          (value) => (typeof value === 'string' ? value.split(',') : value),
          z.array(z.enum(JOB_CHANGES)).min(1).max(JOB_CHANGES.length),
        )
        .optional()
        .openapi({ description: 'Only these changes, comma-separated.' }),
    }),
  },
  responses: {
    200: {
      description: 'An event stream',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    ...errorResponses(400, 401, 503),
  },
});

/** The SSE stream of job changes, under /api. */
export function eventRoutes({ hub, heartbeatMs }: Deps) {
  return createRouter().openapi(eventsRoute, async (c) => {
    const types = c.req.valid('query').types;
    const wanted: ReadonlySet<JobChange> = new Set(types ?? JOB_CHANGES);
    const pending: Extract<StoreEvent, { type: 'changed' }>[] = [];
    let wake: (() => void) | null = null;
    let overflow = false;
    // Subscribe before answering, so an unreachable store is a 503 rather than an empty stream.
    const unsubscribe = await hub.subscribe((event) => {
      if (event.type !== 'changed' || !wanted.has(event.change)) return;
      if (pending.length >= MAX_PENDING) overflow = true;
      else pending.push(event);
      wake?.();
    });
    return streamSSE(
      c,
      async (stream) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        stream.onAbort(() => wake?.());
        // A server adapter may tell of a client gone only through the request's signal.
        const signal = c.req.raw.signal;
        const abort = () => {
          if (!stream.closed) stream.abort();
        };
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
        try {
          let seq = 0;
          await stream.writeSSE({ event: 'ready', data: '{}' });
          while (!stream.aborted && !stream.closed && !overflow) {
            if (pending.length === 0) {
              const woken = await new Promise<boolean>((resolve) => {
                wake = () => resolve(true);
                timer = setTimeout(() => resolve(false), heartbeatMs);
              });
              clearTimeout(timer);
              wake = null;
              if (!woken) await stream.write(': heartbeat\n\n');
              continue;
            }
            const event = pending.shift();
            if (event === undefined) continue;
            seq += 1;
            await stream.writeSSE({
              id: String(seq),
              event: event.change,
              data: JSON.stringify({ ids: event.ids, state: event.state }),
            });
          }
          if (overflow) await stream.writeSSE({ event: 'overflow', data: '{}' });
        } finally {
          clearTimeout(timer);
          signal.removeEventListener('abort', abort);
          await unsubscribe();
        }
      },
      async () => {
        await unsubscribe();
      },
    );
  });
}
