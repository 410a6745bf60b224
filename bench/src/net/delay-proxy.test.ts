import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type DelayProxy, startDelayProxy } from './delay-proxy.js';
import { tcpTarget, viaPort } from './path.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A local server running `onSocket` on each connection; closed after the test. */
async function server(onSocket: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => s.close(r));
  });
  const address = s.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function proxyTo(port: number, roundTripMs: number): Promise<DelayProxy> {
  const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port }, roundTripMs });
  cleanups.push(() => proxy.close());
  return proxy;
}

async function connect(port: number): Promise<Socket> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  cleanups.push(async () => {
    socket.destroy();
  });
  return socket;
}

/** Reads from `socket` until `n` bytes have come, and returns them. */
function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) {
        socket.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

describe('delay proxy', () => {
  it('holds every round trip for at least the delay asked for', async () => {
    const echo = await server((s) => s.pipe(s));
    const proxy = await proxyTo(echo, 10);
    const client = await connect(proxy.port);
    const trips: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const answer = readBytes(client, 4);
      client.write(`p${String(i).padStart(3, '0')}`);
      expect((await answer).toString()).toBe(`p${String(i).padStart(3, '0')}`);
      trips.push(performance.now() - started);
    }
    // A lower bound only: the proxy holds each chunk at least 5 ms each way.
    expect(Math.min(...trips)).toBeGreaterThanOrEqual(10);
    expect(proxy.stats()).toMatchObject({ connections: 1, open: 1 });
  });

  it('passes bytes on in the order they were written, whatever the chunking', async () => {
    const echo = await server((s) => s.pipe(s));
    const proxy = await proxyTo(echo, 2);
    const client = await connect(proxy.port);
    const parts = Array.from({ length: 500 }, (_, i) => randomBytes(1 + ((i * 7919) % 3000)));
    parts.push(randomBytes(3 * 1024 * 1024));
    const sent = Buffer.concat(parts);
    const answer = readBytes(client, sent.length);
    for (const part of parts) client.write(part);
    const got = await answer;
    expect(got.length).toBe(sent.length);
    expect(got.equals(sent)).toBe(true);
    expect(proxy.stats().bytes).toBe(2 * sent.length);
  });

  it('stops reading from the client while the server does not read, and loses nothing', async () => {
    const received: Buffer[] = [];
    let server$: Socket | null = null;
    const sink = await server((s) => {
      server$ = s;
      s.pause();
      s.on('data', (chunk: Buffer) => received.push(chunk));
    });
    const proxy = await proxyTo(sink, 2);
    const client = await connect(proxy.port);
    const sent = randomBytes(48 * 1024 * 1024);
    let flushed = false;
    client.write(sent, () => {
      flushed = true;
    });
    // Wait until the proxy has stopped passing bytes on: the server's buffers are full.
    let last = -1;
    while (proxy.stats().bytes !== last) {
      last = proxy.stats().bytes;
      await new Promise((r) => setTimeout(r, 200));
    }
    // The proxy took only what the kernel's buffers and its own limit hold, not all 48 MiB:
    // the rest waits in the client, which has not been able to write it.
    expect(proxy.stats().bytes).toBeLessThan(sent.length);
    expect(flushed).toBe(false);
    expect(client.writableLength).toBeGreaterThan(0);
    (server$ as Socket | null)?.resume();
    while (received.reduce((n, b) => n + b.length, 0) < sent.length) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Buffer.concat(received).equals(sent)).toBe(true);
  });

  it('passes an end on after what came before it, both ways, and closes both sides', async () => {
    const got: Buffer[] = [];
    let heard: (text: string) => void = () => {};
    const ended = new Promise<string>((resolve) => {
      heard = resolve;
    });
    const port = await server((s) => {
      s.on('data', (chunk: Buffer) => got.push(chunk));
      s.on('end', () => {
        heard(Buffer.concat(got).toString());
        s.end('goodbye');
      });
    });
    const proxy = await proxyTo(port, 4);
    const client = createConnection({ host: '127.0.0.1', port: proxy.port, allowHalfOpen: true });
    const answer: Buffer[] = [];
    client.on('data', (chunk: Buffer) => answer.push(chunk));
    const closed = once(client, 'close');
    client.end('last words');
    expect(await ended).toBe('last words');
    await closed;
    expect(Buffer.concat(answer).toString()).toBe('goodbye');
    await expect.poll(() => proxy.stats().open).toBe(0);
  });

  it('cuts the client when the server cannot be reached', async () => {
    const closed = await server(() => {});
    await cleanups.pop()?.();
    const proxy = await proxyTo(closed, 2);
    const client = createConnection({ host: '127.0.0.1', port: proxy.port });
    client.on('error', () => {});
    await once(client, 'close');
    await expect.poll(() => proxy.stats().open).toBe(0);
    expect(proxy.stats().connections).toBe(1);
  });
});

describe('database URLs through the proxy', () => {
  it('reads the TCP target of a URL and points it at the proxy', () => {
    const url = 'postgres://postgres:secret@db.example:6543/jobs?sslmode=disable';
    expect(tcpTarget(url)).toEqual({ host: 'db.example', port: 6543 });
    expect(tcpTarget('postgres://u@127.0.0.1/x')).toEqual({ host: '127.0.0.1', port: 5432 });
    expect(viaPort(url, 40001)).toBe(
      'postgres://postgres:secret@127.0.0.1:40001/jobs?sslmode=disable',
    );
  });

  it('refuses a URL that points at a socket folder', () => {
    expect(() => tcpTarget('postgres://u@localhost/x?host=/var/run/postgresql')).toThrow(
      /TCP host and port/,
    );
  });
});
