import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorBody } from './errors.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Paths open without a token. */
const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz']);

/**
 * Requires `Authorization: Bearer <token>` on every path but /healthz. The given token and
 * the expected one are compared as SHA-256 digests (equal lengths) with timingSafeEqual, so
 * the time taken tells nothing about either.
 */
export function bearerAuth(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path)) return next();
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('Authorization') ?? '');
    if (match?.[1] === undefined || !timingSafeEqual(digest(match[1]), expected)) {
      return c.json(errorBody('unauthorized', 'a valid bearer token is required'), 401, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    return next();
  };
}
