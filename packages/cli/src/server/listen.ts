import { ServeError, serve } from '@jobs/api';
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
 * Listens with `app` (which hands API requests to `api`, made by createApp) on `host:port`
 * through the API's `serve`: an address beyond loopback needs `api` to have a token. Its
 * refusals become CLI errors with a hint saying what to do.
 */
export async function listen(
  app: FetchApp,
  { api, port, host }: { api: object; port: number; host: string },
): Promise<Listening> {
  try {
    return await serve({ app, api, port, hostname: host });
  } catch (error) {
    if (!(error instanceof ServeError)) throw error;
    if (error.code === 'needs-token') {
      throw new UsageError(
        `refusing to listen on ${host} without a token: anyone who can reach it could enqueue and cancel jobs`,
        { hint: 'set JOBS_API_TOKEN (or api.token in the config), or listen on 127.0.0.1' },
      );
    }
    if (error.code === 'weak-token') {
      throw new UsageError(error.message, {
        hint: 'set JOBS_API_TOKEN (or api.token in the config) to 32 characters or more',
      });
    }
    throw new OperationError(error.message, {
      hint: 'stop what uses it, or pick another port with --port or PORT (0 picks a free one)',
    });
  }
}
