/**
 * Terminology: a *state-changing* request is any but GET, HEAD and OPTIONS. Its *origin* is its
 * Origin header (`scheme://host[:port]`, which browsers send on every such request); it is
 * *same-origin* when that host[:port] is the request's Host.
 *
 * Why: cancel, retry and pause take no body, so any page the operator visits could POST them
 * (a form or `fetch(..., { mode: 'no-cors' })` needs no preflight). Requests without Origin
 * (curl, the CLI, server to server) cannot come from another site's page and pass.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { errorBody } from '../../errors.js';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why `origin` cannot be an allowed origin, or null when it can. */
export function originRuleProblem(origin: string): string | null {
  return normalizeOrigin(origin) === null
    ? `"${origin}" is not an origin: write scheme://host[:port], e.g. https://admin.example.com (no path)`
    : null;
}

/** `scheme://host[:port]` in lower case without a default port; null for anything else. */
export function normalizeOrigin(origin: string): string | null {
  // An origin is exactly scheme://host[:port]: no path, query, user or trailing slash.
  if (!/^https?:\/\/[^/?#@\s\\]+$/i.test(origin)) return null;
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}

/** True when `origin` names the same host and port as `host` (a Host header). */
export function isSameOrigin(origin: string, host: string): boolean {
  const normalized = normalizeOrigin(origin);
  if (normalized === null) return false;
  const url = new URL(normalized);
  if (/[/?#@\s\\]/.test(host)) return false;
  try {
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}

/** Settings of `sameOrigin`. */
export interface SameOriginOptions {
  /** Origins beyond this server's own allowed to send state-changing requests; default none. */
  readonly origins?: readonly string[];
}

function refuse(c: Context, message: string, field: string) {
  return c.json(errorBody('cross_origin_refused', message, field), 403);
}

/**
 * Refuses with 403 a state-changing request sent by another site: its Origin is not this
 * server's (nor an allowed one), or the browser says `Sec-Fetch-Site: cross-site`. Throws at
 * once when an allowed origin is not an origin.
 */
export function sameOrigin({ origins = [] }: SameOriginOptions = {}): MiddlewareHandler {
  const allowed = new Set<string>();
  for (const origin of origins) {
    const normalized = normalizeOrigin(origin);
    if (normalized === null) throw new TypeError(`allowed origins: ${originRuleProblem(origin)}`);
    allowed.add(normalized);
  }
  const hint = 'allow another origin with JOBS_ALLOWED_ORIGINS or api.allowedOrigins';
  return async function sameOrigin(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      const normalized = normalizeOrigin(origin);
      if (normalized !== null && allowed.has(normalized)) return next();
    }
    const site = c.req.header('sec-fetch-site')?.trim().toLowerCase();
    if (site === 'cross-site') {
      return refuse(
        c,
        `cross-site ${c.req.method} refused: the browser sent it from another site (Sec-Fetch-Site: cross-site); ${hint}`,
        'Sec-Fetch-Site',
      );
    }
    if (origin === undefined) return next();
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (isSameOrigin(origin, host)) return next();
    return refuse(
      c,
      `cross-origin ${c.req.method} refused: Origin ${JSON.stringify(origin.slice(0, 200))} is not this server (${host.slice(0, 200)}); ${hint}`,
      'Origin',
    );
  };
}
