import { fileURLToPath } from 'node:url';
import { defineHandlers, handler, PermanentError } from '@jobs/core';
import { jobContext, MAX_RESULT_BYTES } from '@jobs/worker';
import { recordExecution } from './executions.js';

/** The module isolated poison handlers run from (built next to this file). */
const POISON_CHILD = fileURLToPath(new URL('../dist/poison-child.js', import.meta.url));

/** An error whose message, name and stack hold NUL and lone surrogates. */
function unstorableError(): Error {
  const error = new Error('bad \u0000 message \ud800 end');
  error.name = 'Nul\u0000Error\udfff';
  error.stack = `Nul\u0000Error: bad \u0000 stack \udc00\n    at nowhere (\ud83d:1:1)`;
  return error;
}

/**
 * The scenarios' allow-list. Every method first writes its execution down (executions.ts), so
 * each scenario can prove the handler really ran. `work.run` is the ordinary job; `poison.*`
 * misbehave on purpose; `outcome.*` answer or throw what PostgreSQL cannot store as it is;
 * `probe.pollution` reports whether Object.prototype was polluted in this worker.
 */
export const handlers = defineHandlers({
  work: {
    async run(ms: number): Promise<null> {
      recordExecution(jobContext());
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return null;
    },
  },
  poison: {
    never(): Promise<never> {
      recordExecution(jobContext());
      return new Promise(() => {});
    },
    throwString(): never {
      recordExecution(jobContext());
      throw 'a plain string, not an Error';
    },
    throwObject(): never {
      recordExecution(jobContext());
      throw { code: 42, detail: 'an object, not an Error' };
    },
    throwUndefined(): never {
      recordExecution(jobContext());
      throw undefined;
    },
    permanent(): never {
      recordExecution(jobContext());
      throw new PermanentError('this job can never succeed');
    },
    big(payload: string): number {
      recordExecution(jobContext());
      return payload.length;
    },
  },
  outcome: {
    /** A string result holding NUL (jsonb refuses \u0000). */
    nul(): string {
      recordExecution(jobContext());
      return 'before \u0000 after';
    },
    /** A string result holding lone surrogates (not valid UTF-8). */
    lone(): string {
      recordExecution(jobContext());
      return 'high \ud800 low \udfff end';
    },
    /** A nested result whose keys and values hold NUL and lone surrogates. */
    badKeys(): Record<string, unknown> {
      recordExecution(jobContext());
      return { ok: 1, nested: { 'k\u0000ey': 'v', '\ud83d': ['\u0000', { '\udc00': 2 }] } };
    },
    /** A result of `mib` MiB, beyond what is stored (stored as null, by design). */
    huge(mib: number): string {
      recordExecution(jobContext());
      return 'x'.repeat(mib * 1024 * 1024);
    },
    /** A result just under the size limit, ending in NUL and a lone surrogate. */
    nearLimit(): string {
      recordExecution(jobContext());
      return `${'x'.repeat(MAX_RESULT_BYTES - 64)}\u0000\ud800`;
    },
    /** The ordinary error whose 2,000-character cut splits a surrogate pair. */
    cutSurrogate(): never {
      recordExecution(jobContext());
      throw new Error(`${'a'.repeat(1998)}${'😀'.repeat(10)}`);
    },
    /** An Error with NUL and lone surrogates in its message, name and stack. */
    badError(): never {
      recordExecution(jobContext());
      throw unstorableError();
    },
    /** A thrown string (not an Error) with NUL and a lone surrogate. */
    badThrown(): never {
      recordExecution(jobContext());
      throw 'thrown \u0000 and \ud800';
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
    /** Takes one optional argument, so a pollution attempt can arrive in its params. */
    pollution(_payload: unknown = null): { polluted: boolean; attempt: number } {
      recordExecution(jobContext());
      const probe: Record<string, unknown> = {};
      return { polluted: 'polluted' in probe, attempt: jobContext().attempt };
    },
  },
});

export default handlers;
