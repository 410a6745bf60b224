import { z } from '@hono/zod-openapi';
import {
  IllegalTransitionError,
  JobNotFoundError,
  JobsError,
  StoreRejectedError,
  StoreUnavailableError,
  UnknownHandlerError,
  ValidationError,
} from '@jobs/core';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The body of every error answer: a stable code, a message, and the field at fault if any. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_error' }),
      message: z.string().openapi({ example: 'priority: must be an integer' }),
      field: z.string().optional().openapi({ example: 'priority' }),
    }),
  })
  .openapi('Error');

/** An error answer's body. */
export type ErrorBody = z.infer<typeof ErrorSchema>;

/** An error answer: its status and body. */
export interface ErrorAnswer {
  readonly status: ContentfulStatusCode;
  readonly body: ErrorBody;
}

/** Builds an error body; `field` is left out when not given. */
export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: { code, message, ...(field === undefined ? {} : { field }) } };
}

/** A problem reading a log file that is not the caller's fault (permissions, I/O). */
export class LogUnavailableError extends JobsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('log_unavailable', message, options);
  }
}

const HTTP_CODES: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/**
 * The answer for a known error: core's errors by their class, Hono's HTTPException (broken
 * JSON, wrong media type) by its status. Null for anything else, which is a bug to log.
 */
export function answerFor(error: unknown): ErrorAnswer | null {
  if (error instanceof ValidationError) {
    return { status: 400, body: errorBody(error.code, error.message, error.field) };
  }
  if (error instanceof UnknownHandlerError) {
    const field = error.method === undefined ? 'handler' : 'method';
    return { status: 400, body: errorBody(error.code, error.message, field) };
  }
  if (error instanceof JobNotFoundError) {
    return { status: 404, body: errorBody(error.code, error.message, 'id') };
  }
  if (error instanceof IllegalTransitionError) {
    return { status: 409, body: errorBody(error.code, error.message) };
  }
  if (error instanceof StoreRejectedError) {
    return { status: 422, body: errorBody(error.code, error.message) };
  }
  if (error instanceof StoreUnavailableError || error instanceof LogUnavailableError) {
    return { status: 503, body: errorBody(error.code, error.message) };
  }
  if (error instanceof HTTPException) {
    const status = error.status >= 400 && error.status < 600 ? error.status : 400;
    const malformed = /malformed json/i.test(error.message);
    const code = malformed ? 'invalid_json' : (HTTP_CODES[status] ?? 'bad_request');
    const message = malformed ? 'the body is not valid JSON' : error.message || code;
    return { status, body: errorBody(code, message, malformed ? 'body' : undefined) };
  }
  return null;
}

/** The path of a zod issue as a dotted field name (`jobs.3.priority`). */
function fieldOf(path: readonly PropertyKey[], keys?: readonly string[]): string {
  const parts = [...path.map((p) => String(p)), ...(keys?.slice(0, 1) ?? [])];
  return parts.join('.');
}

/** The 400 answer for input that failed its zod schema: the first issue names the field. */
export function zodErrorBody(error: z.ZodError, target: string): ErrorBody {
  const [issue] = error.issues;
  if (issue === undefined) return errorBody('validation_error', `the ${target} is invalid`);
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : undefined;
  const field = fieldOf(issue.path, keys) || (target === 'json' ? 'body' : target);
  const message =
    issue.code === 'unrecognized_keys'
      ? `is not a known field${keys !== undefined && keys.length > 1 ? ` (nor ${keys.slice(1).join(', ')})` : ''}`
      : issue.message;
  return errorBody('validation_error', `${field}: ${message}`, field);
}
