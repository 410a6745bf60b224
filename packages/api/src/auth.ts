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

/** The shortest API token accepted when a server starts: 32 characters. */
export const MIN_TOKEN_LENGTH = 32;

/** How to make a good token, for messages. */
export const MAKE_TOKEN_HINT =
  "make one with `openssl rand -hex 32` or `node -e \"console.log(require('node:crypto').randomBytes(32).toString('hex'))\"`";

/** Why `token` is too weak to start a server with, or null when it is long enough. */
export function tokenProblem(token: string): string | null {
  const length = [...token].length;
  if (length >= MIN_TOKEN_LENGTH) return null;
  return `the API token is ${length} characters long; it needs at least ${MIN_TOKEN_LENGTH} (a guessable token lets anyone who reaches the server run and cancel jobs): ${MAKE_TOKEN_HINT}`;
}
