/**
 * Terminology: a request's *host* is its Host header (`name` or `name:port`). A *host rule* is
 * one entry of the allowed hosts: `name` (any port), `name:port` (that port only) or `*` (any
 * host). Loopback names (localhost, 127.x.x.x, [::1]) are always allowed.
 *
 * Why: a page on another site can point a DNS name of its own at 127.0.0.1 (DNS rebinding)
 * and then read and steer a server that listens on loopback without a token; the browser still
 * sends the attacker's name as Host, so answering only known names stops it.
 */
import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../../errors.js';
import { isLoopback } from '../../loopback.js';

/** A host split into its lower-case name (IPv6 in brackets) and its port ('' when none). */
export interface ParsedHost {
  readonly name: string;
  readonly port: string;
}

/** Parses a Host header or a host rule; null when it is not `name[:port]`. */
export function parseHost(text: string): ParsedHost | null {
  if (text === '' || /[\s/\\@?#%]/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') return null;
  const explicitPort = /:(\d+)$/.exec(text)?.[1];
  return {
    name: url.hostname,
    port: explicitPort === undefined ? '' : String(Number(explicitPort)),
  };
}

/** Why `rule` cannot be an allowed host, or null when it can. */
export function hostRuleProblem(rule: string): string | null {
  if (rule === '*' || parseHost(rule) !== null) return null;
  return `"${rule}" is not a host name: write a name or address, optionally with :port (no scheme, no path), or * for any host`;
}

/** True when `host` (a Host header) is a loopback name or matches one of `rules`. */
export function isHostAllowed(host: string, rules: readonly string[]): boolean {
  const parsed = parseHost(host);
  if (parsed === null) return false;
  if (isLoopback(parsed.name)) return true;
  return rules.some((rule) => {
    if (rule === '*') return true;
    const allowed = parseHost(rule);
    return (
      allowed !== null &&
      allowed.name === parsed.name &&
      (allowed.port === '' || allowed.port === parsed.port)
    );
  });
}

/** Settings of `allowedHost`. */
export interface AllowedHostOptions {
  /** Host rules beyond loopback (see the terminology above); default none. */
  readonly hosts?: readonly string[];
  /** Paths answered whatever the Host (default /healthz: it says only that the process runs). */
  readonly openPaths?: readonly string[];
}

/**
 * Refuses, with 421 and a JSON error naming the Host, a request whose Host is neither a
 * loopback name nor an allowed host. Throws at once when a rule is not a host.
 */
export function allowedHost({
  hosts = [],
  openPaths = ['/healthz'],
}: AllowedHostOptions = {}): MiddlewareHandler {
  for (const rule of hosts) {
    const problem = hostRuleProblem(rule);
    if (problem !== null) throw new TypeError(`allowed hosts: ${problem}`);
  }
  const open = new Set(openPaths);
  return async function allowedHost(c, next) {
    if (open.has(c.req.path)) return next();
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (isHostAllowed(host, hosts)) return next();
    const shown = JSON.stringify(host.slice(0, 200));
    return c.json(
      errorBody(
        'host_not_allowed',
        `Host ${shown} is not allowed: this server answers loopback names (localhost, 127.0.0.1, [::1]) ` +
          'and the hosts in JOBS_ALLOWED_HOSTS or api.allowedHosts of jobs.config.ts. To reach it ' +
          'by this name, add the name there (comma separated; * allows any host).',
        'Host',
      ),
      421,
    );
  };
}
