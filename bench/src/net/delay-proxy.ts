import { createConnection, createServer, type Server, type Socket } from 'node:net';

// Terminology: the proxy stands between a client (a contender's worker or enqueuing client)
// and the server (PostgreSQL). Each connection has two directions, client to server and server
// to client; in each, every chunk read is held for `holdMs` (half the round trip), then written
// on in the order it was read.

/** Bytes held in one direction before the proxy stops reading from that side. */
const HIGH_WATER_BYTES = 1024 * 1024;
/** Held bytes below which a paused side is read from again. */
const LOW_WATER_BYTES = 256 * 1024;

/** Counters of a running proxy. */
export interface ProxyStats {
  /** Connections accepted since the start. */
  readonly connections: number;
  /** Connections open now. */
  readonly open: number;
  /** Bytes passed on, both directions together. */
  readonly bytes: number;
}

export interface DelayProxy {
  /** The local port clients connect to. */
  readonly port: number;
  stats(): ProxyStats;
  /** Stops accepting, cuts every open connection, and resolves once the server is closed. */
  close(): Promise<void>;
}

/**
 * Holds every chunk `from` yields for at least `holdMs` milliseconds (by performance.now(), so
 * never less, whatever the timers' millisecond grain), then writes it to `to`, in order. Stops
 * reading `from` while more than HIGH_WATER_BYTES are held or while `to` does not take more
 * (its write returned false, until 'drain'). Ends `to` once `from` has ended and everything
 * held is written.
 */
export function delayedPipe(
  from: Socket,
  to: Socket,
  holdMs: number,
  onBytes: (n: number) => void = () => {},
): void {
  const held: { chunk: Buffer; due: number }[] = [];
  let heldBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let blocked = false;
  let ended = false;
  let paused = false;

  const schedule = () => {
    const head = held[0];
    if (timer !== undefined || blocked || head === undefined) return;
    timer = setTimeout(flush, Math.max(0, Math.ceil(head.due - performance.now())));
  };
  const flush = () => {
    timer = undefined;
    if (to.destroyed) return;
    const now = performance.now();
    while (!blocked) {
      const head = held[0];
      if (head === undefined || head.due > now) break;
      held.shift();
      heldBytes -= head.chunk.length;
      onBytes(head.chunk.length);
      if (!to.write(head.chunk)) blocked = true;
    }
    if (paused && heldBytes < LOW_WATER_BYTES && !blocked) {
      paused = false;
      from.resume();
    }
    if (ended && held.length === 0 && !blocked) {
      if (!to.writableEnded) to.end();
      return;
    }
    schedule();
  };

  from.on('data', (chunk: Buffer) => {
    held.push({ chunk, due: performance.now() + holdMs });
    heldBytes += chunk.length;
    if (heldBytes >= HIGH_WATER_BYTES && !paused) {
      paused = true;
      from.pause();
    }
    schedule();
  });
  from.on('end', () => {
    ended = true;
    if (held.length === 0 && !blocked) {
      if (!to.writableEnded) to.end();
    }
  });
  to.on('drain', () => {
    blocked = false;
    flush();
  });
  // Once `to` is closed nothing held can be written; `from` closing is no reason to drop what
  // it sent before.
  to.on('close', () => {
    clearTimeout(timer);
    timer = undefined;
    held.length = 0;
    heldBytes = 0;
  });
}

/**
 * A TCP proxy to `target` that adds `roundTripMs` to every round trip: each direction holds
 * what it reads for half of it. Listens on 127.0.0.1 (`port` 0: any free port).
 */
export async function startDelayProxy(options: {
  target: { host: string; port: number };
  roundTripMs: number;
  port?: number;
}): Promise<DelayProxy> {
  const { roundTripMs } = options;
  if (!Number.isFinite(roundTripMs) || roundTripMs < 0) {
    throw new Error(`roundTripMs must be a number >= 0, got ${roundTripMs}`);
  }
  const holdMs = roundTripMs / 2;
  const sockets = new Set<Socket>();
  let connections = 0;
  let open = 0;
  let bytes = 0;
  const count = (n: number) => {
    bytes += n;
  };
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    connections += 1;
    open += 1;
    let sides = 2;
    const upstream = createConnection({
      host: options.target.host,
      port: options.target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        sides -= 1;
        if (sides === 0) open -= 1;
      });
      // A failure on either side cuts both: the other side sees the connection drop.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // A side that ends cleanly is ended on the other side by its pipe, after what it sent.
    delayedPipe(client, upstream, holdMs, count);
    delayedPipe(upstream, client, holdMs, count);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP port');
  return {
    port: address.port,
    stats: () => ({ connections, open, bytes }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
