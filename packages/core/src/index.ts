export { checkArity, describeArity, fitsArity } from './arity.js';
export type {
  Client,
  ClientOptions,
  EnqueueClient,
  EnqueueSpecFor,
  RunBackgroundJobArgs,
  UntypedEnqueueSpec,
} from './client.js';
export {
  createClient,
  hasRetention,
  MAX_FLOW_VIEW,
  MAX_LIST_LIMIT,
  STREAM_CHUNK_JOBS,
  STREAM_MIN_JOBS,
} from './client.js';
export type { EnvVars } from './client-env.js';
export { clientDefaultsFromEnv } from './client-env.js';
export type { DeclaredMethod } from './declared-methods.js';
export { declaredMethods, isPlatformPrototype } from './declared-methods.js';
export {
  IllegalTransitionError,
  JobNotFoundError,
  JobsError,
  PermanentError,
  StoreRejectedError,
  StoreUnavailableError,
  UnknownHandlerError,
  ValidationError,
} from './errors.js';
export type {
  DependencyPolicy,
  DependencyResult,
  DependencyTarget,
  FlowGraphInput,
  FlowNode,
  InitialFlowState,
  JobFlow,
  NewDependency,
} from './flow.js';
export {
  DEFAULT_DEPENDENCY_POLICY,
  DEPENDENCY_POLICIES,
  FLOW_KEY_PATTERN,
  FLOW_LIMITS,
  findCycle,
  initialFlowStates,
  isFlowKey,
  validateDependencyPolicy,
  validateDependsOnIds,
  validateFlowGraph,
} from './flow.js';
export type {
  DependencyOptions,
  FlowJobSpecFor,
  FlowResult,
  FlowSpecFor,
  UntypedFlowSpec,
} from './flow-client.js';
export type {
  HandlerDefinition,
  HandlerInfo,
  HandlerName,
  HandlerOptions,
  HandlerRegistry,
  HandlerSchemas,
  HandlerTargets,
  IsolateOptions,
  MethodInfo,
  MethodName,
  MethodParams,
  ReservedName,
  ResolvedMethod,
} from './handler-types.js';
export { HANDLER_DEFINITION } from './handler-types.js';
export { defineHandlers, handler } from './handlers.js';
export { compareJobIds, JOB_ID_PATTERN, validateJobId } from './ids.js';
export type {
  Job,
  JobError,
  JobLogLine,
  JobState,
  JsonValue,
  RetryPolicy,
  TraceCarrier,
} from './job.js';
export {
  ERRORS_KEPT_FIRST,
  ERRORS_KEPT_LAST,
  FINAL_STATES,
  JOB_STATES,
  RUNNABLE_STATES,
} from './job.js';
export type { JobLogEntry, JobLogStatus } from './job-log-line.js';
export { formatJobLogLine, jobLogLine, quotedLogName } from './job-log-line.js';
export { MAX_PARAMS_BYTES, toJsonParams, utf8ByteLength } from './json.js';
export { escapeLogText, quoteLogText, showLogText } from './log-text.js';
export type { MetricRegistry, ReadMetricSpec, ReadSample } from './metric-family.js';
export {
  BucketCounts,
  histogramSamples,
  JOB_DURATION_BUCKETS,
  registerReadMetric,
} from './metric-family.js';
export {
  HANDLER_NAME_PATTERN,
  isHandlerName,
  isMethodName,
  isReservedName,
  MAX_HANDLER_NAME_LENGTH,
  MAX_METHOD_NAME_LENGTH,
  METHOD_NAME_PATTERN,
  RESERVED_NAMES,
} from './names.js';
export type { ClientDefaults, EnqueueOptions, EnqueueSpec } from './options.js';
export {
  CLIENT_DEFAULTS,
  DEPENDENCY_OPTION_KEYS,
  ENQUEUE_LIMITS,
  ENQUEUE_OPTION_KEYS,
  normalizeEnqueue,
  QUEUE_NAME_PATTERN,
  resolveClientDefaults,
  validateQueueName,
} from './options.js';
export type { OrderedJob } from './ordering.js';
export { compareJobs } from './ordering.js';
export type { Arity } from './parameters.js';
export { readArity } from './parameters.js';
export { paramsFromText } from './params-text.js';
export { prepareJob } from './prepare.js';
export type {
  JobRetentionStore,
  JobTableStats,
  PruneBatch,
  PruneParams,
  PruneResult,
} from './prune.js';
export {
  DEFAULT_PRUNE_BATCH_SIZE,
  formatPruneLogLine,
  MANUAL_PRUNE_WAIT_MS,
  MAX_PRUNE_BATCH_SIZE,
  validatePruneParams,
} from './prune.js';
export type { QueueLimits, QueueLimitsPatch, RateLimit } from './queue-limits.js';
export {
  DEFAULT_KEY_CONCURRENCY,
  formatRateLimit,
  isLimited,
  NO_QUEUE_LIMITS,
  parseRateLimit,
  QUEUE_LIMIT_BOUNDS,
  validateConcurrencyKey,
  validateQueueLimitsPatch,
  validateRateLimit,
} from './queue-limits.js';
export type {
  QueueRetention,
  RetentionMs,
  RetentionPolicy,
  RetentionSettings,
  RetentionState,
} from './retention.js';
export {
  DEFAULT_RETENTION,
  effectiveRetention,
  formatRetention,
  MAX_RETENTION_MS,
  parseDuration,
  parseOverrides,
  parseRetentionConfig,
  parseRetentionMs,
  RETENTION_STATES,
} from './retention.js';
export {
  DEFAULT_RETRY_POLICY,
  MAX_RETRIES_DEFAULT,
  MAX_RETRY_DELAY_MS,
  MAX_RETRY_FACTOR,
  nextRetryAt,
  retryCapMs,
  retryDelayMs,
  validateRetryPolicy,
} from './retry-policy.js';
export * from './schedules/index.js';
export { validateWithSchema } from './schema.js';
export type { JobEvent, JobEventType, Transition, TransitionSubject } from './states.js';
export { failureOutcome, isFinal, TRANSITION_SOURCES, transition } from './states.js';
export type {
  AttemptCompletion,
  AttemptFailure,
  AttemptRef,
  AttemptRelease,
  ClaimedJob,
  FailureOutcome,
  FinishedGroup,
  FinishedSummary,
  InsertedFields,
  JobChange,
  JobCounts,
  JobListParams,
  JobPage,
  JobStatsStore,
  JobStore,
  NewFlow,
  NewJob,
  QueueInfo,
  QueueLag,
  QueueUsage,
  StoreEvent,
  ThroughputPoint,
  TransactionStore,
} from './store.js';
export { createdJob, insertedJob, JOB_CHANGES } from './store.js';
export {
  cutText,
  findUnstorable,
  isStorableText,
  REPLACEMENT_CHARACTER,
  toStorableJson,
  toStorableText,
  UNSTORABLE,
} from './text.js';
export {
  MESSAGING_SYSTEM,
  readTraceCarrier,
  recordError,
  TRACER_NAME,
  traceIdOf,
} from './tracing.js';
export type { EnqueuedJob, UniqueRule } from './unique.js';
export {
  DEFAULT_UNIQUE_RULE,
  holdsUniqueKey,
  MAX_UNIQUE_FOR_SECONDS,
  normalizeUniqueRule,
  UNFINISHED_STATES,
  UNIQUE_FOR_DEFAULT_STATES,
} from './unique.js';
