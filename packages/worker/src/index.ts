export type { BackoffPolicy } from './backoff.js';
export { DEFAULT_STORE_BACKOFF } from './backoff.js';
export type { JobContext } from './context.js';
export { jobContext } from './context.js';
export type { Listener } from './emitter.js';
export {
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_ERROR_STACK_LENGTH,
  NON_ERROR_NAME,
} from './error-entry.js';
export {
  IsolatedProcessError,
  JobCancelledError,
  LeaseLostError,
  NoJobContextError,
  TimeoutError,
  WorkerOptionsError,
  WorkerStateError,
  WorkerStoppingError,
} from './errors.js';
export type { JobLogStatus } from './job-log.js';
export { formatErrorLogEntry, formatJobLogLine } from './job-log.js';
export type { AppendLog } from './log-files.js';
export {
  DEFAULT_ERROR_LOG_PATH,
  DEFAULT_JOB_LOG_PATH,
  ERROR_LOG_FILE_NAME,
  JOB_LOG_FILE_NAME,
  openAppendLog,
} from './log-files.js';
export type { LogFields, Logger, LogLevel } from './logger.js';
export { createJsonLogger, silentLogger } from './logger.js';
export type { WorkerMetricsOptions } from './metrics.js';
export { instrumentWorker, JOB_BUCKETS, STORE_CALL_BUCKETS } from './metrics.js';
export { ERROR_LOG_ENV, JOB_LOG_ENV } from './options.js';
export { createMetricsRegistry } from './process-metrics.js';
export { MAX_LOG_LINE_LENGTH, MAX_PROGRESS_BYTES } from './progress.js';
export { MAX_RESULT_BYTES } from './result.js';
export type { Scheduler, SchedulerOptions } from './scheduler.js';
export { createScheduler } from './scheduler.js';
export type { SignalHandlerOptions } from './signals.js';
export { installSignalHandlers } from './signals.js';
export { keepRunningOnUnhandledRejections } from './stray-errors.js';
export type {
  CancelReason,
  Worker,
  WorkerErrorSource,
  WorkerEventSource,
  WorkerEvents,
  WorkerOptions,
  WorkerState,
} from './types.js';
export { createWorker } from './worker.js';
