import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectLive, defaultRetryDelay, type LiveEvent, type LiveStatus } from './connection.js';

/** A response whose body the test writes to, and ends. */
function stream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, { status: 200 }),
    send: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('connectLive', () => {
  it('tells job changes, and goes live on ready', async () => {
    const s = stream();
    const events: LiveEvent[] = [];
    const statuses: LiveStatus[] = [];
    stop = connectLive({
      open: async () => s.response,
      onEvent: (e) => events.push(e),
      onStatus: (st) => statuses.push(st),
    });
    await flush();
    s.send(
      'event: ready\ndata: {}\n\nid: 1\nevent: completed\ndata: {"ids":["7"],"state":"completed"}\n\n',
    );
    await vi.waitFor(() => expect(events).toHaveLength(2));
    expect(events).toEqual([
      { type: 'ready' },
      { type: 'change', change: 'completed', ids: ['7'], state: 'completed' },
    ]);
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('reconnects when the stream ends or fails, and says ready again', async () => {
    const streams = [stream(), stream()];
    let opened = 0;
    const events: LiveEvent[] = [];
    const statuses: LiveStatus[] = [];
    stop = connectLive({
      open: async () => {
        const s = streams[opened++];
        if (s === undefined) throw new TypeError('Failed to fetch');
        return s.response;
      },
      onEvent: (e) => events.push(e),
      onStatus: (st) => statuses.push(st),
      retryDelayMs: () => 5,
    });
    await flush();
    streams[0]?.send('event: ready\ndata: {}\n\n');
    await vi.waitFor(() => expect(events).toHaveLength(1));
    streams[0]?.end();
    await vi.waitFor(() => expect(opened).toBe(2));
    streams[1]?.send('event: ready\ndata: {}\n\n');
    await vi.waitFor(() => expect(events).toEqual([{ type: 'ready' }, { type: 'ready' }]));
    expect(statuses.slice(0, 4)).toEqual(['connecting', 'live', 'offline', 'connecting']);
    expect(statuses.at(-1)).toBe('live');
  });

  it('stops for good on 401 and says so', async () => {
    const onUnauthorized = vi.fn();
    let opened = 0;
    stop = connectLive({
      open: async () => {
        opened++;
        return new Response('{}', { status: 401 });
      },
      onEvent: () => {},
      onStatus: () => {},
      onUnauthorized,
      retryDelayMs: () => 1,
    });
    await vi.waitFor(() => expect(onUnauthorized).toHaveBeenCalledOnce());
    await new Promise((r) => setTimeout(r, 20));
    expect(opened).toBe(1);
  });

  it('gives up on a silent stream after the idle timeout and opens another', async () => {
    const streams = [stream(), stream()];
    let opened = 0;
    stop = connectLive({
      open: async (signal) => {
        const s = streams[opened++]!;
        signal.addEventListener('abort', () => s.end());
        return s.response;
      },
      onEvent: () => {},
      onStatus: () => {},
      retryDelayMs: () => 1,
      idleTimeoutMs: 30,
    });
    await vi.waitFor(() => expect(opened).toBe(2), { timeout: 5000 });
  });

  it('waits longer after each failure, up to 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(defaultRetryDelay)).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });
});
