import { createSseParser, type SseEvent } from './sse.js';

/** Where the live connection is. */
export type LiveStatus = 'connecting' | 'live' | 'offline';

/** A change told by the API's event stream: what happened to which jobs. */
export interface JobChangeEvent {
  readonly type: 'change';
  /** `created`, `started`, `progress`, `completed`, `failed`, `cancelled`, `deleted`... */
  readonly change: string;
  readonly ids: readonly string[];
  readonly state: string | null;
}

/** The stream (re)opened: anything shown may be stale, so read it again. */
export interface ReadyEvent {
  readonly type: 'ready';
}

export type LiveEvent = JobChangeEvent | ReadyEvent;

/** Settings of `connectLive`. */
export interface LiveOptions {
  /** Opens the event stream (through the typed client); resolves to the response. */
  readonly open: (signal: AbortSignal) => Promise<Response>;
  readonly onEvent: (event: LiveEvent) => void;
  readonly onStatus: (status: LiveStatus) => void;
  /** Told when the API refused the token (the stream is not retried then). */
  readonly onUnauthorized?: () => void;
  /** Waits before reconnect attempt `n` (1-based), in ms: default 500 ms doubling to 10 s. */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Reconnects when nothing (not even a heartbeat) arrived for this long; default 45 s. */
  readonly idleTimeoutMs?: number;
}

/** The default wait before reconnect attempt `n`: 500 ms, 1 s, 2 s... up to 10 s. */
export function defaultRetryDelay(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
}

function toLiveEvent(event: SseEvent): LiveEvent | null {
  if (event.event === 'ready') return { type: 'ready' };
  if (event.event === 'overflow' || event.event === 'message') return null;
  try {
    const body = JSON.parse(event.data) as { ids?: unknown; state?: unknown };
    const ids = Array.isArray(body.ids)
      ? body.ids.filter((id): id is string => typeof id === 'string')
      : [];
    const state = typeof body.state === 'string' ? body.state : null;
    return { type: 'change', change: event.event, ids, state };
  } catch {
    return null;
  }
}

/**
 * Keeps the event stream open: reads it with fetch (so the token travels in a header, never
 * in the URL), and when it ends or fails, waits and opens it again, with a growing delay that
 * resets once a stream is up. Returns a function that closes it for good.
 */
export function connectLive(options: LiveOptions): () => void {
  const retryDelay = options.retryDelayMs ?? defaultRetryDelay;
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  const stopper = new AbortController();
  let failures = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopper.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  /** Reads one stream to its end; true when it was refused for want of a valid token. */
  async function once(): Promise<boolean> {
    const attempt = new AbortController();
    const abort = () => attempt.abort();
    stopper.signal.addEventListener('abort', abort);
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(abort, idleTimeoutMs);
    };
    try {
      touch();
      const response = await options.open(attempt.signal);
      if (response.status === 401) return true;
      if (!response.ok || response.body === null) return false;
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const feed = createSseParser((frame) => {
        const event = toLiveEvent(frame);
        if (event === null) return;
        if (event.type === 'ready') {
          failures = 0;
          options.onStatus('live');
        }
        options.onEvent(event);
      });
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        touch();
        feed(decoder.decode(value, { stream: true }));
      }
      return false;
    } catch {
      return false;
    } finally {
      clearTimeout(idle);
      stopper.signal.removeEventListener('abort', abort);
      attempt.abort();
    }
  }

  void (async () => {
    while (!stopper.signal.aborted) {
      options.onStatus('connecting');
      const refused = await once();
      if (stopper.signal.aborted) break;
      if (refused) {
        options.onStatus('offline');
        options.onUnauthorized?.();
        break;
      }
      options.onStatus('offline');
      failures += 1;
      await sleep(retryDelay(failures));
    }
  })();

  return () => stopper.abort();
}
