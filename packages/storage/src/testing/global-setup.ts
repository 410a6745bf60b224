import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../embedded/index.js';

/**
 * Vitest global setup for every package whose tests need PostgreSQL. It always starts (or
 * joins) an embedded PostgreSQL 18 and exposes it as TEST_EMBEDDED_DATABASE_URL; when
 * TEST_DATABASE_URL is unset (a fresh machine), tests use that embedded server for it too.
 * Test workers and the processes they spawn inherit both variables.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = process.env.JOBS_EMBEDDED_DIR ?? join(tmpdir(), 'jobs-test-postgres');
  const server: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dir, database: 'test' });
  process.env.TEST_EMBEDDED_DATABASE_URL = server.url;
  process.env.TEST_DATABASE_URL ||= server.url;
  return () => server.stop();
}
