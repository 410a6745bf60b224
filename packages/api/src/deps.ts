import type { Client, HandlerRegistry, JobStatsStore, JobStore, StoreEvent } from '@jobs/core';
import type { EventHub } from './events/hub.js';
import type { ChangeLog } from './job-log.js';
import type { LogFiles } from './logs/paths.js';
import type { Metrics } from './metrics/collector.js';

/** A source of store events: resolves to a function that stops listening. */
export type EventSource = (listener: (event: StoreEvent) => void) => Promise<() => Promise<void>>;

/** What the route groups share, built once by `createApp`. */
export interface Deps {
  readonly store: JobStore & JobStatsStore;
  readonly registry: HandlerRegistry<unknown>;
  readonly client: Client<unknown>;
  readonly hub: EventHub;
  readonly metrics: Metrics;
  readonly logFiles: LogFiles;
  /** The job-log lines of the changes this process makes. */
  readonly changeLog: ChangeLog;
  /** Milliseconds between heartbeats on the event stream. */
  readonly heartbeatMs: number;
}
