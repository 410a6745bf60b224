import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { checkSchemaName, DEFAULT_SCHEMA } from './connection.js';

/** Where drizzle-kit writes the migrations; shipped with the package. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Brings a schema up to date with drizzle's migrator. Safe to run again and from several
 * processes at once: a session advisory lock lets one migrate while the others wait.
 * `migrationsFolder` (default: the shipped migrations) lets tests stop at an older version.
 */
export async function migrate(options: {
  url: string;
  schema?: string;
  migrationsFolder?: string;
}): Promise<void> {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
  // One connection, so the advisory lock and the migration share a session.
  const sql = postgres(options.url, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: schema, timezone: 'UTC', application_name: 'jobs-migrate' },
  });
  const lockKey = `jobs:migrate:${schema}`;
  try {
    await sql`SELECT pg_advisory_lock(hashtext(${lockKey}))`;
    try {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
      await drizzleMigrate(drizzle(sql), {
        migrationsFolder: options.migrationsFolder ?? MIGRATIONS_FOLDER,
        migrationsSchema: schema,
        migrationsTable: 'jobs_migrations',
      });
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${lockKey}))`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
