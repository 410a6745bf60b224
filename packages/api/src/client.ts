import { hc } from 'hono/client';
import type { AppType } from './app.js';

/** Options of `createApiClient`. */
export interface ApiClientOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  /** Another fetch (tests, proxies). */
  readonly fetch?: typeof fetch;
}

/** A client typed by the app's routes: `client.api.jobs.$post({ json: {...} })`. */
export function createApiClient(url: string, { token, fetch }: ApiClientOptions = {}) {
  return hc<AppType>(url, {
    ...(token === undefined || token === ''
      ? {}
      : { headers: { Authorization: `Bearer ${token}` } }),
    ...(fetch === undefined ? {} : { fetch }),
  });
}

/** The typed client. */
export type ApiClient = ReturnType<typeof createApiClient>;
