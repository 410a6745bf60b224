import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * True when `promtool` (Debian's `prometheus` package) is on the PATH. When it is not, tests
 * that need it skip, unless JOBS_REQUIRE_PROMTOOL=1 (set by .ci/run), which makes this throw:
 * CI never passes by skipping them.
 */
export function hasPromtool(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const found = spawnSync('promtool', ['--version']).status === 0;
  if (!found && env.JOBS_REQUIRE_PROMTOOL === '1') {
    throw new Error('promtool is required (JOBS_REQUIRE_PROMTOOL=1): apt-get install prometheus');
  }
  return found;
}

/** Runs `promtool check metrics` on `text`; returns what it printed, empty when it passed. */
export function promtoolCheckMetrics(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'jobs-promtool-'));
  try {
    const file = join(dir, 'metrics.txt');
    writeFileSync(file, text);
    const run = spawnSync('sh', ['-c', `promtool check metrics < "${file}"`], {
      encoding: 'utf8',
    });
    return `${run.stdout}${run.stderr}${run.status === 0 ? '' : `(exit ${run.status})`}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
