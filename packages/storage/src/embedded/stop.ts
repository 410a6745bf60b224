import { embeddedPaths } from './paths.js';
import { isAlive, waitForExit } from './proc.js';
import { postmasterPid } from './server.js';
import { answers } from './sql.js';
import { readEmbeddedState, removeEmbeddedState } from './state.js';

/** How long a fast shutdown may take before stopEmbeddedPostgres gives up. */
const STOP_TIMEOUT_MS = 30_000;

/** Stops the server described by `<dir>/postgres.json` (SIGINT, fast shutdown); true if one was running. */
export async function stopEmbeddedPostgres(dir?: string): Promise<boolean> {
  const paths = embeddedPaths(dir);
  const state = await readEmbeddedState(paths.dir);
  if (state === null) return false;
  // Only signal a pid proven to be our postmaster: it answers, or postmaster.pid names it.
  const ours =
    isAlive(state.pid) &&
    ((await answers(state)) || (await postmasterPid(paths.dataDir)) === state.pid);
  if (!ours) {
    await removeEmbeddedState(paths.dir, state);
    return false;
  }
  try {
    process.kill(state.pid, 'SIGINT');
  } catch {
    // Exited between the check and the signal.
  }
  if (!(await waitForExit(state.pid, STOP_TIMEOUT_MS))) {
    throw new Error(`postgres (pid ${state.pid}) still running ${STOP_TIMEOUT_MS} ms after SIGINT`);
  }
  await removeEmbeddedState(paths.dir, state);
  return true;
}
