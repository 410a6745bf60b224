import type { CommandContext } from '../cli/command.js';
import { green } from '../cli/output.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { resolveSettings } from '../config/settings.js';
import { openDatabase } from '../server/database.js';

/** `jobs migrate`: opens the database of the settings (a config is optional), migrates, stops. */
export async function migrateDatabase(context: CommandContext): Promise<number> {
  const given = typeof context.values.config === 'string' ? context.values.config : undefined;
  const file = findConfigFile(given, context.cwd);
  const config = file === undefined ? undefined : (await loadConfig(file, context.cwd)).config;
  const settings = resolveSettings(config, context.env);
  const database = await openDatabase(settings, context.cwd, { migrate: true });
  try {
    context.stdout.write(
      `${green('✔')} schema "${database.schema}" is up to date on ${database.description}\n`,
    );
  } finally {
    await database.stop();
  }
  return 0;
}
