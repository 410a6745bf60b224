import { defineHandlers } from '@jobs/core';

/** What the benchmark's jobs run: nothing, so the job system's own cost is what is measured. */
export const handlers = defineHandlers({
  bench: {
    noop(): null {
      return null;
    },
  },
});

export default handlers;
