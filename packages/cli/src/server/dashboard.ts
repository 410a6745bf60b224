import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Env } from '../config/settings.js';

/**
 * The folder of the built dashboard (index.html and assets/), or null when it is not there.
 * Tried in order: JOBS_DASHBOARD_DIR; `@jobs/dashboard`'s `dashboardDir` as this package
 * resolves it; the same package found in a node_modules above the config file or the cwd.
 */
export async function findDashboardDir(options: {
  readonly env: Env;
  readonly cwd: string;
  readonly configFile?: string | undefined;
}): Promise<string | null> {
  const fromEnv = options.env.JOBS_DASHBOARD_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = resolve(options.cwd, fromEnv);
    return hasIndex(dir) ? dir : null;
  }
  const candidates: (() => Promise<unknown>)[] = [() => import('@jobs/dashboard' as string)];
  const starts = [options.configFile && dirname(options.configFile), options.cwd].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  for (const start of starts) {
    const entry = findPackageEntry(start, '@jobs/dashboard');
    if (entry !== null) candidates.push(() => import(pathToFileURL(entry).href));
  }
  for (const load of candidates) {
    try {
      const loaded = (await load()) as { dashboardDir?: unknown };
      const dir = loaded.dashboardDir;
      if (typeof dir === 'string' && hasIndex(dir)) return dir;
    } catch {
      // Not installed, not built, or no such export: try the next place.
    }
  }
  return null;
}

function hasIndex(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

/** The ESM entry of package `name` in the nearest node_modules at or above `start`. */
function findPackageEntry(start: string, name: string): string | null {
  let dir = resolve(start);
  for (;;) {
    const root = join(dir, 'node_modules', name);
    const manifest = join(root, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
          exports?: unknown;
          module?: string;
          main?: string;
        };
        const entry = exportEntry(pkg.exports) ?? pkg.module ?? pkg.main ?? 'index.js';
        return join(root, entry);
      } catch {
        return null;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function exportEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const main = (exports as Record<string, unknown>)['.'] ?? exports;
  if (typeof main === 'string') return main;
  if (typeof main !== 'object' || main === null) return undefined;
  const conditions = main as Record<string, unknown>;
  for (const key of ['import', 'node', 'default']) {
    const value = conditions[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
