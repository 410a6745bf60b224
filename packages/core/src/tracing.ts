import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Job, TraceCarrier } from './job.js';
import type { NewJob } from './store.js';

/** The instrumentation scope of the spans this project makes. */
export const TRACER_NAME = '@jobs/jobs';

/** `messaging.system` of every span: this job system (no registered value exists for it). */
export const MESSAGING_SYSTEM = 'jobs';

/** Longest field name and value kept from a propagator (a traceparent is 55 characters). */
const MAX_CARRIER_TEXT = 512;
/** Most fields kept from a propagator. */
const MAX_CARRIER_FIELDS = 8;

/**
 * Keeps what a propagator wrote when it is a few short strings; anything else (a propagator
 * gone wrong, a row written by hand) is dropped rather than stored or trusted.
 */
export function readTraceCarrier(value: unknown): TraceCarrier | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const out: Record<string, string> = {};
  let fields = 0;
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') continue;
    if (key.length > MAX_CARRIER_TEXT || text.length > MAX_CARRIER_TEXT) continue;
    // Header-safe text only: what a W3C traceparent or tracestate can hold.
    if (!/^[\x21-\x7e]+$/.test(key) || !/^[\x20-\x7e]*$/.test(text)) continue;
    if (++fields > MAX_CARRIER_FIELDS) break;
    out[key] = text;
  }
  return fields === 0 ? null : out;
}

/** One tracer for every enqueue: it follows whichever SDK is registered, even a later one. */
const tracer = trace.getTracer(TRACER_NAME);

/**
 * Enqueues through `insert` inside a producer span (`send <queue>`), storing the span's context
 * with each job so its attempts join the same trace. Without an OpenTelemetry SDK registered
 * the span does nothing and no context is stored.
 */
export async function tracedInsert<J extends Job>(
  jobs: readonly NewJob[],
  insert: (jobs: readonly NewJob[]) => Promise<J[]>,
): Promise<J[]> {
  const first = jobs[0]?.queue ?? 'jobs';
  const oneQueue = jobs.every((job) => job.queue === first);
  return tracedSend(jobs.length, oneQueue ? first : null, (traceContext) =>
    insert(traceContext === null ? jobs : jobs.map((job) => ({ ...job, traceContext }))),
  );
}

/**
 * `tracedInsert` for `count` jobs not prepared yet, all in `queue` (null: several queues):
 * `insert` stores `traceContext` with each job.
 */
export async function tracedSend<J extends Job>(
  count: number,
  queue: string | null,
  insert: (traceContext: TraceCarrier | null) => Promise<J[]>,
): Promise<J[]> {
  const span = tracer.startSpan(`send ${queue ?? 'jobs'}`, { kind: SpanKind.PRODUCER });
  // Without an SDK (or when not sampled) the span records nothing: no attributes to build.
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'enqueue',
      ...(queue === null ? {} : { 'messaging.destination.name': queue }),
      ...(count === 1 ? {} : { 'messaging.batch.message_count': count }),
    });
  }
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  try {
    const inserted = await insert(readTraceCarrier(carrier));
    const [job] = inserted;
    if (inserted.length === 1 && job !== undefined && span.isRecording()) {
      span.setAttribute('messaging.message.id', job.id);
    }
    return inserted;
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The trace id a job's stored context names (32 hex digits, from its `traceparent`), to find
 * its trace in a tracing UI; null without one.
 */
export function traceIdOf(carrier: TraceCarrier | null): string | null {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(
    carrier?.traceparent ?? '',
  );
  return match?.[1] ?? null;
}

/** Marks `span` failed by `error`. */
export function recordError(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  else span.recordException(String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
