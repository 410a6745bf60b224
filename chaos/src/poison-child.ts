// Runs in an isolated child process: each method writes its execution down, then takes its
// child down a different way.
import { recordExecution } from './executions.js';

/** Where the worker's isolate runner puts the job's context (see @jobs/worker's context.ts). */
const CONTEXT_KEY = Symbol.for('@jobs/worker.isolated-context');

/** The running job, from the runner's global context (no import of the worker needed). */
function job(): { id: string; attempt: number } {
  const context = (globalThis as { [CONTEXT_KEY]?: { id: string; attempt: number } })[CONTEXT_KEY];
  if (context === undefined) throw new Error('not running in an isolated job');
  return context;
}

export default {
  crash(): void {
    recordExecution(job());
    // Dies without answering, as a segfault or an OOM kill would.
    process.kill(process.pid, 'SIGKILL');
  },
  loop(): void {
    recordExecution(job());
    for (;;) {
      // Never yields; only a kill ends it.
    }
  },
};
