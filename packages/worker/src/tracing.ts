import {
  type FailureOutcome,
  type Job,
  MESSAGING_SYSTEM,
  recordError,
  TRACER_NAME,
} from '@jobs/core';
import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from '@opentelemetry/api';
import type { AttemptResult } from './execute.js';

/** One tracer for every attempt: it follows whichever SDK is registered, even a later one. */
const tracer = trace.getTracer(TRACER_NAME);

/** The consumer span of one attempt and the context its handler runs in. */
export interface AttemptSpan {
  readonly span: Span;
  /** The span's context: the handler's own spans are its children. */
  readonly context: Context;
}

/**
 * Starts the consumer span of an attempt (`process <queue>`, messaging semantic conventions):
 * a child of the enqueue's producer span when the job carries its context (so one trace runs
 * from the request that enqueued to every attempt), and linked to it. Without an SDK
 * registered, the span does nothing.
 */
export function startAttemptSpan(job: Job, workerId: string): AttemptSpan {
  const parent =
    job.traceContext === null ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, job.traceContext);
  const producer = trace.getSpanContext(parent);
  const span = tracer.startSpan(
    `process ${job.queue}`,
    { kind: SpanKind.CONSUMER, links: producer === undefined ? [] : [{ context: producer }] },
    parent,
  );
  // Without an SDK (or when not sampled) the span records nothing: no attributes to build.
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'run',
      'messaging.destination.name': job.queue,
      'messaging.message.id': job.id,
      'messaging.client.id': workerId,
      'jobs.handler': job.handler,
      'jobs.method': job.method,
      'jobs.attempt': job.attempt,
      'jobs.max_attempts': job.maxAttempts,
    });
  }
  // A span without a valid context comes from no SDK and no enqueue trace: nothing to pass on
  // to the handler, so no context is built for it (a Map and a context object per job).
  if (!isSpanContextValid(span.spanContext())) return { span, context: parent };
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `fn` with the attempt's span active, so the handler's spans are its children. */
export function inAttemptSpan<T>(attempt: AttemptSpan, fn: () => T): T {
  return context.with(attempt.context, fn);
}

/**
 * Ends an attempt's span with what it came to: an error is recorded on it, and a failure
 * says whether the job will be retried (and when) or failed for good.
 */
export function endAttemptSpan(
  attempt: AttemptSpan,
  result: AttemptResult,
  outcome: FailureOutcome | null,
): void {
  const { span } = attempt;
  if (!span.isRecording()) {
    span.end();
    return;
  }
  if (result.kind === 'completed') {
    span.setAttribute('jobs.outcome', 'completed');
  } else if (result.kind === 'failed') {
    recordError(span, result.error);
    span.setAttribute('jobs.outcome', outcome?.state ?? 'failed');
    if (outcome?.state === 'retrying') {
      span.setAttribute('jobs.retry_delay_ms', outcome.delayMs);
      span.addEvent('retry scheduled', { 'jobs.retry_delay_ms': outcome.delayMs });
    }
  } else {
    span.setAttribute('jobs.outcome', 'aborted');
    recordError(span, result.reason);
  }
  span.end();
}
