import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of PostgreSQL that can drop every connection, mid-query, on demand. */
export interface CuttingProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Destroys every open connection (both sides, at once); returns how many. */
  cutAll(): number;
  close(): Promise<void>;
}

/** Starts a proxy from a free loopback port to `target`. */
export async function startCuttingProxy(target: {
  host: string;
  port: number;
}): Promise<CuttingProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    get open() {
      return pairs.size;
    },
    cutAll() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      return n;
    },
    close: async () => {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
