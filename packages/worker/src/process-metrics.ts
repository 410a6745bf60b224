import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * prom-client's gauges named like counters (`_total`), which `promtool check metrics` flags:
 * the same numbers are in `nodejs_active_handles`, `_requests` and `_resources` by type.
 */
const COUNTER_NAMED_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/**
 * A registry for one process's /metrics with Node's process metrics on it (CPU, memory, heap,
 * event loop lag, GC, handles), named `process_*` and `nodejs_*` as prom-client names them.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of COUNTER_NAMED_GAUGES) registry.removeSingleMetric(name);
  return registry;
}
