import { randomUUID } from 'node:crypto';
import { link, open, rename, rm, stat } from 'node:fs/promises';
import { errorCode, readTextOrNull, sleep } from './fs-util.js';
import { isAlive } from './proc.js';

/** How long acquireLock waits for another holder before giving up. */
const WAIT_MS = 60_000;
/** A lock older than this is stale even if its pid looks alive (pid reuse). */
const STALE_AGE_MS = 120_000;
/** A lock file still empty after this long belongs to a writer that died mid-write. */
const EMPTY_AGE_MS = 5_000;

/** Takes the exclusive lock file (open 'wx', holding pid + token); resolves to its release. */
export async function acquireLock(file: string, waitMs = WAIT_MS): Promise<() => Promise<void>> {
  const token = `${process.pid}\n${randomUUID()}\n`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await tryCreate(file, token)) return () => releaseLock(file, token);
    if (await breakIfStale(file)) continue;
    if (Date.now() > deadline) {
      const holder = (await readTextOrNull(file))?.split('\n')[0] ?? '?';
      throw new Error(`Timed out after ${waitMs} ms waiting for ${file} (held by pid ${holder})`);
    }
    await sleep(40 + Math.random() * 60);
  }
}

/** Creates the lock file exclusively; false when it already exists. */
async function tryCreate(file: string, token: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx', 0o644);
    try {
      await handle.writeFile(token);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** Removes the lock if it is still ours. */
async function releaseLock(file: string, token: string): Promise<void> {
  if ((await readTextOrNull(file)) === token) await rm(file, { force: true });
}

/** Breaks a lock whose holder is dead; true when the caller should retry at once. */
async function breakIfStale(file: string): Promise<boolean> {
  const content = await readTextOrNull(file);
  if (content === null) return true;
  const age = await ageMs(file);
  if (age === null) return true;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  const stale = Number.isNaN(pid) ? age > EMPTY_AGE_MS : !isAlive(pid) || age > STALE_AGE_MS;
  if (!stale) return false;
  // Rename first so that two breakers cannot both delete; then check we moved the stale file.
  const moved = `${file}.${randomUUID()}.stale`;
  try {
    await rename(file, moved);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  }
  if ((await readTextOrNull(moved)) !== content) {
    // We moved a fresh lock taken meanwhile: put it back unless someone else holds one now.
    await link(moved, file).catch(() => undefined);
  }
  await rm(moved, { force: true });
  return true;
}

/** Age of a file from its mtime, or null when it is gone. */
async function ageMs(file: string): Promise<number | null> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}
