import { defineHandlers } from '@jobs/core';
import { jobContext } from '@jobs/worker';
import { recordExecution, writeExecutionsAtExit } from './contenders/recorder.js';

writeExecutionsAtExit();

/**
 * What the benchmark's jobs run: nothing but noting the job id (the same no-op every contender
 * runs, see contenders/recorder.ts), so the job system's own cost is what is measured.
 */
export const handlers = defineHandlers({
  bench: {
    noop(): null {
      recordExecution(jobContext().id);
      return null;
    },
  },
});

export default handlers;
