import { hostname } from 'node:os';
import { type JobLogSink, resolveLogFiles } from '@jobs/api';
import { openAppendLog } from '@jobs/worker';

/** The job log the API process writes its changes to, and how to close it. */
export interface ApiJobLog {
  /** Pass to `createApp({ jobLog })`. */
  readonly sink: JobLogSink;
  /** The file it appends to. */
  readonly path: string;
  /** Waits for pending lines and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens the job log (the same file and rules as the worker's: `logs.jobs`, else
 * BACKGROUND_JOB_LOG_DIRECTORY, else `logs/background_jobs.log`) for the API's cancel, retry
 * and delete lines, which name this process `api:<host>:<pid>`. Write errors go to `onError`.
 */
export function openApiJobLog(
  jobs: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  onError: (error: unknown) => void,
): ApiJobLog {
  const path = resolveLogFiles(jobs === undefined ? {} : { jobs }, env).path('jobs');
  const file = openAppendLog(path, onError);
  return {
    sink: { append: (text) => file.append(text), name: `api:${hostname()}:${process.pid}` },
    path,
    close: () => file.close(),
  };
}
