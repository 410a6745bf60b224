import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { appRequiresToken, appToken } from './app.js';
import { tokenProblem } from './auth.js';
import { isLoopback } from './loopback.js';

/** Settings of `serve`. */
export interface ServeOptions {
  /** An app made by `createApp`, or one that hands API requests to such an app (see `api`). */
  readonly app: { fetch: (request: Request) => Response | Promise<Response> };
  /**
   * The `createApp` app that answers `app`'s API requests, when `app` wraps it (a server that
   * also serves the dashboard, say): its token decides whether `app` may listen beyond loopback.
   * Default: `app` itself.
   */
  readonly api?: object;
  /** Default PORT or 3000; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. Anything but loopback needs an app with a token. */
  readonly hostname?: string;
}

/** A listening server. */
export interface RunningServer extends AsyncDisposable {
  /** `http://127.0.0.1:3000`, without a trailing slash (127.0.0.1 for a wildcard address). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections (event streams included); safe to call twice. */
  close(): Promise<void>;
}

/** Why `serve` would not listen: no token beyond loopback, a short token, or the port is taken. */
export class ServeError extends Error {
  override readonly name = 'ServeError';
  constructor(
    readonly code: 'needs-token' | 'weak-token' | 'port-in-use',
    message: string,
  ) {
    super(message);
  }
}

export { isLoopback };

/**
 * Serves `app` over HTTP. Refuses, with a ServeError saying why, to listen beyond loopback when
 * the API has no token (anyone on the network could otherwise run and cancel jobs), to listen
 * at all with a token shorter than 32 characters (saying how to make one), and when the port
 * is in use.
 */
export async function serve({
  app,
  api = app,
  port = Number(process.env.PORT || 3000),
  hostname = '127.0.0.1',
}: ServeOptions): Promise<RunningServer> {
  if (!isLoopback(hostname) && !appRequiresToken(api)) {
    throw new ServeError(
      'needs-token',
      `refusing to listen on ${hostname} without a token: anyone who can reach it could enqueue ` +
        'and cancel jobs. Set JOBS_API_TOKEN (or pass token to createApp), or listen on 127.0.0.1.',
    );
  }
  const token = appToken(api);
  const weak = token === null ? null : tokenProblem(token);
  if (weak !== null) throw new ServeError('weak-token', `refusing to start: ${weak}`);
  const server = createAdaptorServer({ fetch: (request: Request) => app.fetch(request) });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new ServeError('port-in-use', `port ${port} on ${hostname} is in use`)
          : error,
      );
    };
    server.once('error', failed);
    server.listen(port, hostname, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    return closing;
  };
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close,
    [Symbol.asyncDispose]: close,
  };
}
