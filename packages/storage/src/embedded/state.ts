import { rm } from 'node:fs/promises';
import { readTextOrNull, writeFileAtomic } from './fs-util.js';
import { embeddedPaths } from './paths.js';
import type { EmbeddedState } from './types.js';

/** Reads `<dir>/postgres.json`; null when missing or malformed. */
export async function readEmbeddedState(dir?: string): Promise<EmbeddedState | null> {
  const text = await readTextOrNull(embeddedPaths(dir).stateFile);
  if (text === null) return null;
  try {
    return parseState(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Validates a parsed state object. */
function parseState(value: unknown): EmbeddedState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const { pid, port, user, password, database, startedAt } = v;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) return null;
  if (typeof user !== 'string' || typeof password !== 'string') return null;
  if (typeof database !== 'string' || typeof startedAt !== 'string') return null;
  return { pid, port, user, password, database, startedAt };
}

/** Writes the state file atomically with mode 0600 (it holds the password). */
export async function writeEmbeddedState(stateFile: string, state: EmbeddedState): Promise<void> {
  await writeFileAtomic(stateFile, `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

/** Removes the state file only if it still describes `state` (not a newer server's). */
export async function removeEmbeddedState(dir: string, state: EmbeddedState): Promise<void> {
  const current = await readEmbeddedState(dir);
  if (current === null) return;
  if (current.pid !== state.pid || current.startedAt !== state.startedAt) return;
  await rm(embeddedPaths(dir).stateFile, { force: true });
}
