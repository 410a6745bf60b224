import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { MIGRATIONS_FOLDER, migrate } from '../migrate.js';

/** Statements to run on a schema as it was before one migration, e.g. hand-written rows. */
export interface OldRows {
  /** The tag of the first migration not yet applied (`0008_row_shape_checks`). */
  readonly before: string;
  /** SQL run with the schema on the search path, after the older migrations. */
  readonly statements: readonly string[];
}

interface Journal {
  readonly entries: readonly { readonly tag: string }[];
}

/**
 * Migrates `schema` up to `oldRows.before` (exclusive), runs `oldRows.statements`, then applies
 * the rest: what upgrading a user's database holding those rows does.
 */
export async function migrateWithOldRows(
  target: { readonly url: string; readonly schema: string },
  oldRows: OldRows,
): Promise<void> {
  const journalPath = join(MIGRATIONS_FOLDER, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
  const stop = journal.entries.findIndex((e) => e.tag === oldRows.before);
  if (stop < 0) throw new Error(`no migration ${oldRows.before}`);
  const folder = await mkdtemp(join(tmpdir(), 'jobs-migrations-'));
  try {
    await cp(MIGRATIONS_FOLDER, folder, { recursive: true });
    const older = { ...journal, entries: journal.entries.slice(0, stop) };
    await writeFile(join(folder, 'meta', '_journal.json'), JSON.stringify(older));
    await migrate({ ...target, migrationsFolder: folder });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
  const sql = postgres(target.url, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: target.schema },
  });
  try {
    for (const statement of oldRows.statements) await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
  await migrate(target);
}
