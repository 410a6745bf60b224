/** Embedded PostgreSQL for runs without DATABASE_URL: start, join, stop a server under `<dir>`. */
export { embeddedPaths } from './paths.js';
export { startEmbeddedPostgres } from './start.js';
export { readEmbeddedState } from './state.js';
export { stopEmbeddedPostgres } from './stop.js';
export type { EmbeddedPostgresHandle, EmbeddedState, StartEmbeddedOptions } from './types.js';
