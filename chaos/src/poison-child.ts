// Runs in an isolated child process: each method writes its execution down, then takes its
// child down a different way.
import { recordExecution } from './executions.js';

export default {
  crash(): void {
    recordExecution();
    // Dies without answering, as a segfault or an OOM kill would.
    process.kill(process.pid, 'SIGKILL');
  },
  loop(): void {
    recordExecution();
    for (;;) {
      // Never yields; only a kill ends it.
    }
  },
};
