/**
 * Vitest global setup of the end-to-end tests: builds the dashboard with Vite when its
 * sources are newer than the last build, so the browser always sees the code under test.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry.endsWith('.test.ts') || entry.endsWith('.test.tsx')) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

function builtAt(): number {
  try {
    return statSync(join(root, 'dist/app/index.html')).mtimeMs;
  } catch {
    return 0;
  }
}

export default async function setup(): Promise<void> {
  const sources = Math.max(
    newest(join(root, 'src/app')),
    statSync(join(root, 'vite.config.ts')).mtimeMs,
  );
  if (sources <= builtAt()) return;
  // The build that ships: vitest sets NODE_ENV=test, which would make Vite bundle React's
  // development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
