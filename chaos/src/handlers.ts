import { fileURLToPath } from 'node:url';
import { defineHandlers, handler, PermanentError } from '@jobs/core';
import { jobContext } from '@jobs/worker';

/** The module isolated poison handlers run from (built next to this file). */
const POISON_CHILD = fileURLToPath(new URL('../dist/poison-child.js', import.meta.url));

/**
 * The scenarios' allow-list. `work.run` is the ordinary job; `poison.*` misbehave on purpose;
 * `probe.pollution` reports whether Object.prototype was polluted in this worker.
 */
export const handlers = defineHandlers({
  work: {
    async run(ms: number): Promise<null> {
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return null;
    },
  },
  poison: {
    never(): Promise<never> {
      return new Promise(() => {});
    },
    throwString(): never {
      throw 'a plain string, not an Error';
    },
    throwObject(): never {
      throw { code: 42, detail: 'an object, not an Error' };
    },
    throwUndefined(): never {
      throw undefined;
    },
    permanent(): never {
      throw new PermanentError('this job can never succeed');
    },
    big(payload: string): number {
      return payload.length;
    },
  },
  isolated: handler(
    {
      crash(): void {},
      loop(): void {},
    },
    { isolate: { module: POISON_CHILD } },
  ),
  probe: {
    pollution(): { polluted: boolean; attempt: number } {
      const probe: Record<string, unknown> = {};
      return { polluted: 'polluted' in probe, attempt: jobContext().attempt };
    },
  },
});

export default handlers;
