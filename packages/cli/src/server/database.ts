import { migrate } from '@jobs/storage';
import { OperationError } from '../cli/errors.js';
import type { Settings } from '../config/settings.js';
import { startEmbeddedDatabase } from './embedded.js';

/** The database a daemon runs on. */
export interface Database {
  readonly url: string;
  readonly schema: string;
  /** Where it is, for people: `embedded PostgreSQL in ./.jobs (started)`, or the redacted URL. */
  readonly description: string;
  /** Stops the embedded server when this process started it; otherwise nothing. */
  stop(): Promise<void>;
}

/** Opens the database of `settings` (the embedded one unless a URL is set) and migrates it. */
export async function openDatabase(
  settings: Settings,
  cwd: string,
  options: { readonly migrate?: boolean } = {},
): Promise<Database> {
  const { url, source, schema, dir } = settings.database;
  let database: Database;
  if (url !== undefined) {
    database = {
      url,
      schema,
      description: `${redactUrl(url)} (from ${source === 'DATABASE_URL' ? 'DATABASE_URL' : 'the config'})`,
      stop: async () => {},
    };
  } else {
    const embedded = await startEmbeddedDatabase(dir, cwd);
    database = {
      url: embedded.url,
      schema,
      description: `embedded PostgreSQL in ${dir} (${embedded.owner ? 'started' : 'joined'})`,
      stop: () => embedded.stop(),
    };
  }
  if (options.migrate ?? settings.database.migrate) {
    try {
      await migrate({ url: database.url, schema });
    } catch (error) {
      await database.stop();
      throw new OperationError(
        `cannot migrate schema "${schema}" of ${redactUrl(database.url)}: ${messageOf(error)}`,
        { hint: 'check that the server is up and DATABASE_URL is right', cause: error },
      );
    }
  }
  return database;
}

/** The URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/([^:/@]+):[^@]*@/, '://$1:***@');
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError) {
    return error.errors.map(messageOf).join('; ') || error.message;
  }
  return error instanceof Error ? error.message || error.name : String(error);
}
