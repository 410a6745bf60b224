import { createWriteStream, mkdirSync, statSync, type WriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The job log's file name, used when its setting names a directory. */
export const JOB_LOG_FILE_NAME = 'background_jobs.log';

/** The error log's file name, used when its setting names a directory. */
export const ERROR_LOG_FILE_NAME = 'background_jobs_error.log';

/** Where the job log goes unless told otherwise (relative to the working directory). */
export const DEFAULT_JOB_LOG_PATH = join('logs', JOB_LOG_FILE_NAME);

/** Where the error log goes unless told otherwise (relative to the working directory). */
export const DEFAULT_ERROR_LOG_PATH = join('logs', ERROR_LOG_FILE_NAME);

/**
 * The file a log setting points to. The settings (option, then the environment variable, then the
 * default) hold file paths despite the variables' names; a path that is an existing directory
 * gets `fileName` inside it. Null disables the log.
 */
export function resolveLogPath(
  option: string | null | undefined,
  envValue: string | undefined,
  fallback: string,
  fileName: string,
  cwd: string,
): string | null {
  if (option === null) return null;
  const chosen = option ?? (envValue === undefined || envValue === '' ? fallback : envValue);
  const path = resolve(cwd, chosen);
  return isDirectory(path) ? join(path, fileName) : path;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A file that lines are appended to, shared with other processes. */
export interface AppendLog {
  /** Appends one entry (it must end in a newline); never throws. */
  append(entry: string): void;
  /** Waits for pending writes and closes the file. */
  close(): Promise<void>;
}

/** How long a log that failed to open or write waits before it tries to open again. */
const REOPEN_AFTER_MS = 5_000;

/**
 * Opens `path` for appending (O_APPEND, directories created). Entries appended in one turn of
 * the event loop are handed to the kernel together, in one write, so entries from several
 * processes never interleave mid-line and a busy worker makes one write per turn, not one per
 * line. Write errors go to `onError`; entries are dropped until the file can be opened again
 * (tried at most every few seconds). The worker carries on either way.
 */
export function openAppendLog(path: string, onError: (error: unknown) => void): AppendLog {
  let stream: WriteStream | null = null;
  let failedAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  let pending: string[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  const fail = (error: unknown) => {
    stream = null;
    failedAt = Date.now();
    onError(error);
  };
  const open = (): WriteStream | null => {
    if (stream !== null || closed) return stream;
    if (Date.now() - failedAt < REOPEN_AFTER_MS) return null;
    try {
      mkdirSync(dirname(path), { recursive: true });
      const opened = createWriteStream(path, { flags: 'a' });
      opened.on('error', (error) => {
        if (stream === opened) fail(error);
      });
      stream = opened;
    } catch (error) {
      fail(error);
    }
    return stream;
  };
  const flush = () => {
    scheduled = null;
    if (pending.length === 0) return;
    const entries = pending.length === 1 ? (pending[0] as string) : pending.join('');
    pending = [];
    open()?.write(entries);
  };
  return {
    append(entry) {
      if (closed) return;
      pending.push(entry);
      scheduled ??= setImmediate(flush);
    },
    close() {
      if (scheduled !== null) clearImmediate(scheduled);
      flush();
      const current = stream;
      stream = null;
      closed = true;
      if (current === null || current.destroyed) return Promise.resolve();
      return new Promise((done) => current.end(done));
    },
  };
}

/** An AppendLog that drops everything (a log turned off). */
export const noLog: AppendLog = Object.freeze({
  append: () => {},
  close: () => Promise.resolve(),
});
