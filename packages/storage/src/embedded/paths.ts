import { join, resolve } from 'node:path';

/** Default folder for embedded server files, relative to process.cwd(). */
export const DEFAULT_DIR = '.jobs';

/** Default database name. */
export const DEFAULT_DATABASE = 'jobs';

/** Superuser created by initdb. */
export const SUPERUSER = 'postgres';

/** Absolute paths of every file the embedded server uses inside `dir`. */
export interface EmbeddedPaths {
  /** Absolute base folder. */
  dir: string;
  /** PostgreSQL data folder. */
  dataDir: string;
  /** JSON state file of the running server. */
  stateFile: string;
  /** Exclusive start lock. */
  lockFile: string;
  /** Superuser password of this data folder (mode 0600). */
  passwordFile: string;
}

/** Resolves the file layout for `dir` (default '.jobs' against process.cwd()). */
export function embeddedPaths(dir: string = DEFAULT_DIR): EmbeddedPaths {
  const base = resolve(process.cwd(), dir);
  return {
    dir: base,
    dataDir: join(base, 'postgres'),
    stateFile: join(base, 'postgres.json'),
    lockFile: join(base, 'postgres.lock'),
    passwordFile: join(base, 'postgres.password'),
  };
}

/** Builds a postgres:// URL for 127.0.0.1. */
export function connectionUrl(
  user: string,
  password: string,
  port: number,
  database: string,
): string {
  const auth = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  return `postgres://${auth}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}
