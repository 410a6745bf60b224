/** Options accepted by startEmbeddedPostgres. */
export interface StartEmbeddedOptions {
  /** Folder holding the data folder, state, lock and password files; default '.jobs' (against process.cwd()). */
  dir?: string;
  /** Database to connect to, created when missing; default 'jobs'. */
  database?: string;
  /** Receives server and initdb log lines; they are discarded when absent. */
  log?: (line: string) => void;
  /** Listen on this port instead of a free one (e.g. to restart a server where clients expect it). */
  port?: number;
}

/** A started or joined embedded PostgreSQL server. */
export interface EmbeddedPostgresHandle {
  /** Connection URL for the requested database (127.0.0.1 only). */
  url: string;
  /** TCP port the server listens on. */
  port: number;
  /** True when this call started the server, false when it joined a running one. */
  owner: boolean;
  /** Absolute path of the PostgreSQL data folder. */
  dataDir: string;
  /** Owner: fast shutdown and remove the state file. Joiner: release only what it opened. Idempotent. */
  stop(): Promise<void>;
  /** Same as stop(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Contents of `<dir>/postgres.json`, describing the running server. */
export interface EmbeddedState {
  /** Postmaster process id. */
  pid: number;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** Superuser name. */
  user: string;
  /** Superuser password. */
  password: string;
  /** Database created by the owner. */
  database: string;
  /** ISO timestamp of the start. */
  startedAt: string;
}
