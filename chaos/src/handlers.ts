import { fileURLToPath } from 'node:url';
import { defineHandlers, handler, PermanentError } from '@jobs/core';
import { type Connection, openConnection } from '@jobs/storage';
import { jobContext } from '@jobs/worker';

/** The module isolated poison handlers run from (built next to this file). */
const POISON_CHILD = fileURLToPath(new URL('../dist/poison-child.js', import.meta.url));

let executions: Connection | undefined;

/** Writes down one execution (job, attempt, this process) in the scenario's `executions` table. */
async function recordExecution(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url === undefined) throw new Error('DATABASE_URL is not set in this worker');
  executions ??= openConnection({ url, schema: process.env.JOBS_SCHEMA ?? 'jobs', max: 2 });
  const { id, attempt } = jobContext();
  await executions.sql`INSERT INTO executions (job_id, attempt, pid) VALUES (${id}, ${attempt}, ${process.pid})`;
}

/**
 * The scenarios' allow-list. `work.run` is the ordinary job (`work.recorded` also writes each
 * execution down); `poison.*` misbehave on purpose;
 * `probe.pollution` reports whether Object.prototype was polluted in this worker.
 */
export const handlers = defineHandlers({
  work: {
    async run(ms: number): Promise<null> {
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
      return null;
    },
    /** Like `run`, after writing the execution down (the crash scenario counts repeats). */
    async recorded(ms: number): Promise<null> {
      await recordExecution();
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
    /** Takes one optional argument, so a pollution attempt can arrive in its params. */
    pollution(_payload: unknown = null): { polluted: boolean; attempt: number } {
      const probe: Record<string, unknown> = {};
      return { polluted: 'polluted' in probe, attempt: jobContext().attempt };
    },
  },
});

export default handlers;
