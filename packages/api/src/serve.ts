import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { appRequiresToken } from './app.js';

/** Settings of `serve`. */
export interface ServeOptions {
  /** An app made by `createApp`. */
  readonly app: { fetch: (request: Request) => Response | Promise<Response> };
  /** Default PORT or 3000; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. Anything but loopback needs an app with a token. */
  readonly hostname?: string;
}

/** A listening server. */
export interface RunningServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections (event streams included). */
  close(): Promise<void>;
}

/** True for names and addresses that only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Serves `app` over HTTP. Refuses, with an error saying why, to listen beyond loopback when
 * the app has no token: anyone on the network could otherwise run and cancel jobs.
 */
export async function serve({
  app,
  port = Number(process.env.PORT || 3000),
  hostname = '127.0.0.1',
}: ServeOptions): Promise<RunningServer> {
  if (!isLoopback(hostname) && !appRequiresToken(app)) {
    throw new Error(
      `refusing to listen on ${hostname} without a token: anyone who can reach it could enqueue ` +
        'and cancel jobs. Set JOBS_API_TOKEN (or pass token to createApp), or listen on 127.0.0.1.',
    );
  }
  const server = createAdaptorServer({ fetch: app.fetch, port, hostname });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const close = async () => {
    if (!server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
  };
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close,
    [Symbol.asyncDispose]: close,
  };
}
