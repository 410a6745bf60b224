import type { Env } from '../config/settings.js';

/** A started tracing SDK. */
export interface Tracing {
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers OpenTelemetry's Node SDK with an OTLP/HTTP exporter for this process: the global
 * tracer provider, the W3C trace-context propagator and an async-context manager, so the
 * library's spans (requests, enqueues, attempts) and the handlers' own go to the collector.
 * The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318) and the other
 * OTEL_EXPORTER_OTLP_* variables; OTEL_SERVICE_NAME names the service (default `jobs-<command>`).
 * The SDK is loaded only here, when asked for.
 */
export async function startTracing(env: Env, command: string): Promise<Tracing> {
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, resources] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || `jobs-${command}`;
  const provider = new NodeTracerProvider({
    resource: resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ 'service.name': serviceName })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return { shutdown: () => provider.shutdown() };
}
