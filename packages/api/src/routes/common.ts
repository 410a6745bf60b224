import type { z } from '@hono/zod-openapi';
import { ErrorSchema } from '../errors.js';

/** The error statuses routes declare. */
type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 503;

/** The error response of one status, as OpenAPI declares it. */
interface ErrorResponse {
  readonly description: string;
  readonly content: { readonly 'application/json': { readonly schema: typeof ErrorSchema } };
}

/** OpenAPI responses of the given error statuses, all with the error body, typed by status. */
export function errorResponses<const S extends readonly ErrorStatus[]>(
  ...statuses: S
): { readonly [K in S[number]]: ErrorResponse } {
  const responses: Partial<Record<ErrorStatus, ErrorResponse>> = {};
  for (const status of statuses) {
    responses[status] = {
      description: 'Error',
      content: { 'application/json': { schema: ErrorSchema } },
    };
  }
  return responses as { readonly [K in S[number]]: ErrorResponse };
}

/** An OpenAPI JSON response. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required OpenAPI JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}
