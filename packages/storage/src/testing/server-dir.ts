import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's @jobs/storage folder (src/testing and dist/testing are both two levels down). */
export const STORAGE_PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The folder of the tests' embedded PostgreSQL: JOBS_EMBEDDED_DIR when set, otherwise one per
 * checkout (named by a hash of its @jobs/storage folder), so two checkouts on one machine run
 * their own servers and one run's teardown never stops the other's.
 */
export function testServerDir(
  env: Readonly<Record<string, string | undefined>>,
  packageRoot: string = STORAGE_PACKAGE_ROOT,
): string {
  const chosen = env.JOBS_EMBEDDED_DIR?.trim();
  if (chosen !== undefined && chosen !== '') return chosen;
  const checkout = createHash('sha256').update(resolve(packageRoot)).digest('hex').slice(0, 12);
  return join(tmpdir(), `jobs-test-postgres-${checkout}`);
}
