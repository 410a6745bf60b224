-- The OpenTelemetry context of a job's enqueue (W3C traceparent/tracestate fields), so that its
-- attempts join the enqueue's trace. Null when no tracing SDK was registered at enqueue.
ALTER TABLE "jobs" ADD COLUMN "trace_context" jsonb;
