export type {
  CallerTransaction,
  DrizzlePostgresJsTransaction,
  QueryableTransaction,
} from './caller-transaction.js';
export type { Connection, ConnectionOptions, Executor } from './connection.js';
export { channelOf, DEFAULT_SCHEMA, openConnection } from './connection.js';
export { mapStoreError } from './errors.js';
export { MIGRATIONS_FOLDER, migrate } from './migrate.js';
export type { JobRow } from './schema.js';
export { jobQueues, jobs } from './schema.js';
export { WORKER_LOST_MESSAGE } from './sql/lease.js';
export { MAX_LOG_LINES } from './sql/manage.js';
export type { PgJobStore } from './store.js';
export { createPgStore } from './store.js';
