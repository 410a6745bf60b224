import { type ApiClient, createApiClient } from '@jobs/api/client';
import type { ClientResponse } from 'hono/client';
import { ApiError } from './errors.js';

export type { ApiClient };

/** The body of the successful answers (2xx) among the responses a call may give. */
export type SuccessBody<R> =
  R extends ClientResponse<infer T, infer S, infer _F> ? (S extends 200 | 201 ? T : never) : never;

/** Builds the typed client for the API served at `baseUrl` (the page's own origin). */
export function makeClient(
  baseUrl: string,
  token: string | null,
  fetchImpl?: typeof fetch,
): ApiClient {
  return createApiClient(baseUrl, {
    ...(token === null ? {} : { token }),
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
}

/**
 * Awaits a typed client call and returns its success body; anything else becomes an ApiError
 * (status 0 when the API could not be reached), with the API's code, message and field.
 */
export async function read<R extends ClientResponse<unknown, number, string>>(
  call: Promise<R>,
): Promise<SuccessBody<R>> {
  let response: R;
  try {
    response = await call;
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'network_error', 'cannot reach the API', { cause });
  }
  if (response.ok) return (await response.json()) as SuccessBody<R>;
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  throw ApiError.fromBody(response.status, body);
}
