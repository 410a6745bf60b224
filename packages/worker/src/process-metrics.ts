import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';

/**
 * prom-client, loaded when the first registry is made: `@jobs/worker` exports this function,
 * and every process importing the package (a handlers module reading `jobContext`, a worker
 * without `--metrics-port`) loaded its 35 modules for nothing.
 */
let promClient: typeof import('prom-client') | undefined;
function loadPromClient(): typeof import('prom-client') {
  promClient ??= createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  return promClient;
}

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
  const { Registry: PromRegistry, collectDefaultMetrics } = loadPromClient();
  const registry = new PromRegistry();
  collectDefaultMetrics({ register: registry });
  for (const name of COUNTER_NAMED_GAUGES) registry.removeSingleMetric(name);
  return registry;
}
