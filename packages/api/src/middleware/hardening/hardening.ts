import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { API_CSP } from './csp.js';

/** Settings of `hardening`. */
export interface HardeningOptions {
  /** The Content-Security-Policy of answers that set none themselves (default `API_CSP`). */
  readonly contentSecurityPolicy?: string;
  /** Cache-Control set on every answer (e.g. `no-store`); default: left as the route set it. */
  readonly cacheControl?: string;
}

/**
 * Adds the usual hardening headers to every answer, errors included: X-Content-Type-Options:
 * nosniff, X-Frame-Options: DENY (and CSP frame-ancestors 'none'), Referrer-Policy:
 * no-referrer, Cross-Origin-Opener-Policy and -Resource-Policy: same-origin (Hono's
 * secureHeaders, without HSTS: this server speaks plain HTTP, a TLS proxy in front sets it).
 * Headers a route set itself (a page's own CSP) are kept.
 */
export function hardening({
  contentSecurityPolicy = API_CSP,
  cacheControl,
}: HardeningOptions = {}): MiddlewareHandler {
  const secure = secureHeaders({
    strictTransportSecurity: false,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    overwrite: false,
  });
  return async function hardening(c, next) {
    await secure(c, next);
    const headers = c.res.headers;
    if (!headers.has('Content-Security-Policy')) {
      headers.set('Content-Security-Policy', contentSecurityPolicy);
    }
    if (cacheControl !== undefined) headers.set('Cache-Control', cacheControl);
  };
}
