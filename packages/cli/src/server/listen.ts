import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { isLoopback } from '@jobs/api';
import { OperationError, UsageError } from '../cli/errors.js';
import type { FetchApp } from './root-app.js';

/** A listening HTTP server. */
export interface Listening {
  /** `http://127.0.0.1:3000`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections (event streams too). */
  close(): Promise<void>;
}

/**
 * Listens with `app` on `host:port`. Like the API's `serve`, refuses an address beyond loopback
 * without a token; a port in use is an error saying how to pick another.
 */
export async function listen(
  app: FetchApp,
  { port, host, token }: { port: number; host: string; token: string | undefined },
): Promise<Listening> {
  if (!isLoopback(host) && token === undefined) {
    throw new UsageError(
      `refusing to listen on ${host} without a token: anyone who can reach it could enqueue and cancel jobs`,
      { hint: 'set JOBS_API_TOKEN (or api.token in the config), or listen on 127.0.0.1' },
    );
  }
  const server = createAdaptorServer({ fetch: (request: Request) => app.fetch(request) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new OperationError(`port ${port} on ${host} is in use`, {
            hint: 'stop what uses it, or pick another port with --port or PORT (0 picks a free one)',
          }),
        );
      } else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      return closing;
    },
  };
}
