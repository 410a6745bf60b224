import { connect, type Socket } from 'node:net';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as tables from './schema.js';
import { CHANGE_EVENTS_SETTING } from './sql/notify.js';

/** The schema a store uses when none is given. */
export const DEFAULT_SCHEMA = 'jobs';

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Options shared by everything that opens connections to a jobs database. */
export interface ConnectionOptions {
  /** A postgres:// URL. */
  readonly url: string;
  /** The PostgreSQL schema holding the tables (default `jobs`); lower-case identifier. */
  readonly schema?: string;
  /** Pool size (default 10). */
  readonly max?: number;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string;
  /**
   * Whether this pool's statements announce every job change (started, completed, progress,
   * ...) for live dashboards and SSE (default true). Off saves a notification per claim and
   * per completion batch; cancel, release, retry and insert wake-ups are sent either way.
   */
  readonly changeEvents?: boolean;
}

/** An open pool: the raw driver for hot-path SQL and drizzle over the same connections. */
export interface Connection {
  readonly sql: postgres.Sql;
  readonly db: PostgresJsDatabase<typeof tables>;
  readonly schema: string;
  /** The LISTEN/NOTIFY channel of this schema. */
  readonly channel: string;
  /** False when the pool was opened with `changeEvents: false` (its sessions announce no changes). */
  readonly changeEvents: boolean;
}

/** What runs a raw statement: the pool or a transaction. */
export type Executor = Pick<postgres.TransactionSql, 'unsafe'>;

/** Checks a schema name; throws with the field name when it is not a plain identifier. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new TypeError(`schema: "${schema}" must match ${SCHEMA_PATTERN}`);
  }
  return schema;
}

/** The notification channel of a schema (the insert trigger builds the same name). */
export function channelOf(schema: string): string {
  return `jobs:${schema}`;
}

/**
 * Seconds to wait before reconnecting after `retries` failed attempts: from 0.1 s up to 1 s,
 * jittered. The driver's default grows to 20 s, which kept a pool waiting long after the
 * database was back (and made requests made during an outage wait seconds for their 503).
 */
export function reconnectDelaySeconds(retries: number): number {
  return Math.min(0.1 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}

/** Opens a pool whose sessions resolve unqualified table names in `schema`. */
export function openConnection(options: ConnectionOptions): Connection {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  const settings: postgres.Options<Record<string, postgres.PostgresType>> = {
    max: options.max ?? 10,
    onnotice: () => {},
    backoff: reconnectDelaySeconds,
    connect_timeout: 10,
    connection: {
      search_path: schema,
      timezone: 'UTC',
      application_name: options.applicationName ?? 'jobs',
      ...(options.changeEvents === false ? { [CHANGE_EVENTS_SETTING]: 'off' } : {}),
    },
  };
  // The driver parses the URL without connecting; one server: sockets of our own (see below).
  const { host } = postgres(options.url, settings).options;
  // `socket` is an option of postgres-js that its types leave out.
  const own = { ...settings, socket: openSocket } as typeof settings;
  const sql = postgres(options.url, host.length === 1 ? own : settings);
  const db = drizzle(sql, { schema: tables });
  return {
    sql,
    db,
    schema,
    channel: channelOf(schema),
    changeEvents: options.changeEvents !== false,
  };
}

/**
 * A connection's socket as the driver would open it, but with Nagle's algorithm off (as libpq
 * and node-postgres have it): postgres-js leaves it on, and then a short message sent right
 * after a long one (the end of a COPY, a COMMIT) waits for the server's delayed
 * acknowledgement, some 40 ms. Only for one server: the driver tries several in turn itself.
 */
function openSocket(options: {
  readonly host: readonly string[];
  readonly port: readonly number[];
  readonly path: string | false;
}): Socket {
  if (options.path) return connect({ path: options.path });
  const host = options.host[0] as string;
  const port = options.port[0] as number;
  // The driver reads these for TLS (the server name) as on the sockets it opens.
  return Object.assign(connect({ host, port, noDelay: true }), { host, port });
}
