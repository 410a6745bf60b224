import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Terminology
 * - execution: one call of a chaos handler's method, written down by the handler itself (from
 *   inside the call, before it does anything else), so a worker cannot fake or skip it.
 * - executions directory: where every process running chaos handlers appends its executions,
 *   one file per process (`<pid>.log`, one line per execution). Appends survive `kill -9` (the
 *   kernel holds the data once `write` returns) and need no database, so they also work while
 *   PostgreSQL is down or the network is cut.
 */

/** The environment variable naming the executions directory in a worker process. */
export const EXECUTIONS_DIR_ENV = 'CHAOS_EXECUTIONS_DIR';

/** One execution of a handler method. */
export interface Execution {
  /** The job's id. */
  readonly jobId: string;
  /** The attempt the worker said it was running. */
  readonly attempt: number;
  /** The process the handler ran in (the worker, or an isolated handler's child). */
  readonly pid: number;
  /** When the handler started, epoch milliseconds. */
  readonly at: number;
}

let file: { dir: string; fd: number } | undefined;

/**
 * Writes down that the handler of `job` (its `jobContext()`) is running, in this process's file
 * of the executions directory. Call it first thing in a chaos handler. Throws when the process
 * has no executions directory (a chaos worker always has one), so a job never runs unrecorded.
 * Imports nothing of the worker, so an isolated handler's child starts fast.
 */
export function recordExecution(job: { readonly id: string; readonly attempt: number }): void {
  const dir = process.env[EXECUTIONS_DIR_ENV];
  if (dir === undefined || dir === '') {
    throw new Error(`${EXECUTIONS_DIR_ENV} is not set: this process cannot record executions`);
  }
  if (file?.dir !== dir) {
    if (file !== undefined) closeSync(file.fd);
    mkdirSync(dir, { recursive: true });
    file = { dir, fd: openSync(join(dir, `${process.pid}.log`), 'a') };
  }
  const { id, attempt } = job;
  writeSync(file.fd, `${id}\t${attempt}\t${process.pid}\t${Date.now()}\n`);
}

/** Every execution written in `dir` by any process; throws on a line that does not parse. */
export function readExecutions(dir: string): Execution[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.log'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: Execution[] = [];
  for (const name of names) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      const [jobId, attempt, pid, at] = line.split('\t');
      const parsed = {
        jobId: jobId ?? '',
        attempt: Number(attempt),
        pid: Number(pid),
        at: Number(at),
      };
      if (
        !/^[1-9]\d*$/.test(parsed.jobId) ||
        !Number.isSafeInteger(parsed.attempt) ||
        !Number.isSafeInteger(parsed.pid) ||
        !Number.isFinite(parsed.at)
      ) {
        throw new Error(`${join(dir, name)}: unreadable execution line ${JSON.stringify(line)}`);
      }
      out.push(parsed);
    }
  }
  return out;
}
