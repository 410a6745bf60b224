import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../embedded/index.js';
import { testServerDir } from './server-dir.js';

/**
 * Vitest global setup for every package whose tests need PostgreSQL. It always starts (or
 * joins) an embedded PostgreSQL 18 and exposes it as TEST_EMBEDDED_DATABASE_URL; when
 * TEST_DATABASE_URL is unset (a fresh machine), tests use that embedded server for it too.
 * Test workers and the processes they spawn inherit both variables. The server's folder is
 * JOBS_EMBEDDED_DIR or one of this checkout's own (see testServerDir).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = testServerDir(process.env);
  const server: EmbeddedPostgresHandle = await startEmbeddedPostgres({ dir, database: 'test' });
  process.env.TEST_EMBEDDED_DATABASE_URL = server.url;
  process.env.TEST_DATABASE_URL ||= server.url;
  return () => server.stop();
}
