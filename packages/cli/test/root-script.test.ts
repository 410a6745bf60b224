import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandEnv, type Result } from './helpers.js';

/** The repository's root, where `pnpm jobs` is defined. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs `pnpm jobs ...args` in the repository root. */
function pnpmJobs(args: readonly string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['jobs', ...args], {
      cwd: ROOT,
      env: commandEnv({ JOBS_URL: 'http://127.0.0.1:9' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('pnpm jobs in the repository', () => {
  it('runs the built CLI with the arguments given', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const version = await pnpmJobs(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim().split('\n').at(-1)).toBe(pkg.version);

    const help = await pnpmJobs(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: jobs run <handler> <method>/);
  });

  it('passes flags through and keeps the exit code', async () => {
    const result = await pnpmJobs(['list', '--limit', '-5']);
    expect(result.stderr).toMatch(/--limit must be a whole number from 1 to 500, not "-5"/);
    expect(result.code).toBe(2);
    const unreachable = await pnpmJobs(['list']);
    expect(unreachable.stderr).toMatch(/cannot reach the jobs server at http:\/\/127\.0\.0\.1:9/);
    expect(unreachable.code).toBe(3);
  });
});
