import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { type Child, spawnNode } from '../processes.js';
import { round, summarize } from '../stats.js';
import type { ProxyStats } from './delay-proxy.js';
import type { ProxyProcessConfig } from './proxy-process.js';

const PROXY_PROCESS = fileURLToPath(new URL('./proxy-process.js', import.meta.url));

/**
 * How the contenders' processes reach PostgreSQL in a case: straight to the server, or
 * through a delay proxy that adds a round trip of `delayMs`. The harness's own connections
 * (admin, poller) always go straight.
 */
export interface NetPath {
  /** Round trip the proxy adds on purpose, in ms; 0 = direct. */
  readonly delayMs: number;
  /** The URL a contender's worker and client processes are given. */
  readonly url: string;
  /** The proxy's process, null when direct. */
  readonly proxy: Child | null;
  /** The proxy's counters now, null when direct. */
  stats(): Promise<ProxyStats | null>;
  close(): Promise<void>;
}

/** Straight to the server. */
export function directPath(url: string): NetPath {
  return {
    delayMs: 0,
    url,
    proxy: null,
    stats: async () => null,
    close: async () => {},
  };
}

/** The host and port a database URL points at (a TCP server: no `?host=` socket folder). */
export function tcpTarget(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  if (parsed.searchParams.has('host') || parsed.hostname === '') {
    throw new Error(`--net-delay needs a database URL with a TCP host and port, got ${url}`);
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 5432 : Number(parsed.port),
  };
}

/** `url` with its host and port replaced by the proxy's. */
export function viaPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

/** Starts a proxy process adding `delayMs` to each round trip to the server of `url`. */
export async function openDelayedPath(url: string, delayMs: number): Promise<NetPath> {
  if (delayMs === 0) return directPath(url);
  const config: ProxyProcessConfig = { target: tcpTarget(url), roundTripMs: delayMs };
  const child = spawnNode(`proxy +${delayMs} ms`, PROXY_PROCESS, [JSON.stringify(config)], {
    ipc: true,
  });
  const ready = await child.message<{ port: number }>('ready', 30_000);
  return {
    delayMs,
    url: viaPort(url, ready.port),
    proxy: child,
    stats: async () => {
      child.forget('stats');
      child.send({ type: 'stats' });
      return await child.message<ProxyStats>('stats', 10_000);
    },
    close: async () => {
      await child.stop('SIGTERM', 5_000);
    },
  };
}

/** Round trips of `SELECT 1`, straight and through a path, in ms. */
export interface MeasuredDelay {
  readonly samples: number;
  readonly direct: { readonly p50: number; readonly p99: number };
  readonly proxied: { readonly p50: number; readonly p99: number };
  /** What the path adds: proxied minus direct, at p50 and at p99. */
  readonly added: { readonly p50: number; readonly p99: number };
}

/**
 * Times `samples` round trips of `SELECT 1` on one connection straight to the server and one
 * through the path, taken in turns so that both see the same machine, after 20 of each to warm
 * up. What the proxy really adds is what the report quotes, next to the delay asked for.
 */
export async function measureDelay(
  directUrl: string,
  path: NetPath,
  samples = 200,
): Promise<MeasuredDelay> {
  const direct = postgres(directUrl, { max: 1, onnotice: () => {} });
  const proxied = postgres(path.url, { max: 1, onnotice: () => {} });
  try {
    const time = async (sql: postgres.Sql) => {
      const started = performance.now();
      await sql`SELECT 1`;
      return performance.now() - started;
    };
    const straight: number[] = [];
    const through: number[] = [];
    for (let i = 0; i < 20 + samples; i += 1) {
      const a = await time(direct);
      const b = await time(proxied);
      if (i >= 20) {
        straight.push(a);
        through.push(b);
      }
    }
    const s = summarize(straight);
    const t = summarize(through);
    return {
      samples,
      direct: { p50: round(s.p50, 2), p99: round(s.p99, 2) },
      proxied: { p50: round(t.p50, 2), p99: round(t.p99, 2) },
      added: { p50: round(t.p50 - s.p50, 2), p99: round(t.p99 - s.p99, 2) },
    };
  } finally {
    await direct.end({ timeout: 1 });
    await proxied.end({ timeout: 1 });
  }
}
