import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The job log's file name, used when its setting names a directory. */
export const JOB_LOG_FILE_NAME = 'background_jobs.log';

/** The error log's file name, used when its setting names a directory. */
export const ERROR_LOG_FILE_NAME = 'background_jobs_error.log';

/** Where the two log files are, as given (files, or directories to hold them). */
export interface LogFileOptions {
  readonly jobs?: string;
  readonly errors?: string;
}

/** Resolves the path of one of the two logs at the time of asking. */
export interface LogFiles {
  path(which: 'jobs' | 'errors'): string;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The logs the worker writes: the option, else BACKGROUND_JOB_LOG_DIRECTORY /
 * BACKGROUND_JOB_ERROR_LOG_DIRECTORY, else `logs/<name>`, relative to `cwd`. Like the worker,
 * a setting that names an existing directory means the file of the usual name inside it.
 */
export function resolveLogFiles(
  options: LogFileOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): LogFiles {
  const settings = {
    jobs: [options.jobs, env.BACKGROUND_JOB_LOG_DIRECTORY, JOB_LOG_FILE_NAME],
    errors: [options.errors, env.BACKGROUND_JOB_ERROR_LOG_DIRECTORY, ERROR_LOG_FILE_NAME],
  } as const;
  return {
    path(which) {
      const [option, fromEnv, fileName] = settings[which];
      const chosen = option || fromEnv || join('logs', fileName);
      const path = resolve(cwd, chosen);
      return isDirectory(path) ? join(path, fileName) : path;
    },
  };
}
