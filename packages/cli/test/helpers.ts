import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** The built `jobs` command. */
export const JOBS_BIN = fileURLToPath(new URL('../dist/bin/jobs.js', import.meta.url));

/** The config the command tests use. */
export const FIXTURE_CONFIG = fileURLToPath(new URL('./fixtures/jobs.config.ts', import.meta.url));

/** The demo config of `pnpm start`. */
export const DEMO_CONFIG = fileURLToPath(
  new URL('../../../examples/jobs.config.ts', import.meta.url),
);

/** Variables a developer's shell may hold that would steer the commands under test. */
const STEERING = [
  'DATABASE_URL',
  'JOBS_SCHEMA',
  'MAX_RETRIES',
  'BACKGROUND_JOB_LOG_DIRECTORY',
  'BACKGROUND_JOB_ERROR_LOG_DIRECTORY',
  'JOBS_API_TOKEN',
  'JOBS_ALLOWED_HOSTS',
  'JOBS_ALLOWED_ORIGINS',
  'PORT',
  'JOBS_URL',
  'JOBS_DASHBOARD_DIR',
  'FORCE_COLOR',
];

/** The environment for a command: this process's, without steering variables, plus `extra`. */
export function commandEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !STEERING.includes(key)) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** What a finished command left. */
export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `jobs ...args` to its end (stdin is a pipe, so never a terminal). */
export function jobs(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JOBS_BIN, ...args], {
      env: options.env ?? commandEnv(),
      cwd: options.cwd ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`jobs ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, options.timeoutMs ?? 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A `jobs start` (or serve/worker) process under test. */
export interface Daemon {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** SIGINT, then waits for the exit (SIGKILL after `timeoutMs`); resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

const daemons = new Set<Daemon>();

/** Stops every daemon a test file left running; registers itself once per file. */
export function trackDaemons(): void {
  afterAll(async () => {
    const left = [...daemons];
    await Promise.all(left.map((d) => d.stop()));
  });
}

/** The API's URL in a daemon's banner (`api  http://127.0.0.1:3000/api`). */
const API_URL = /api\s+(http:\/\/\S+?)\/api/;

/**
 * Starts `jobs <args>` and waits for the URL it prints: the API's, or the first group of
 * `urlPattern` (a `jobs worker` prints its metrics server's).
 */
export function startDaemon(
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string; timeoutMs?: number; urlPattern?: RegExp },
): Promise<Daemon> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JOBS_BIN, ...args], {
      env: options.env,
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let exited: Promise<number | null> | null = null;
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const daemon: Daemon = {
      url: '',
      child,
      output: () => output,
      stop: (timeoutMs = 20_000) => {
        exited ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          const code = await exit;
          clearTimeout(timer);
          daemons.delete(daemon);
          return code;
        })();
        return exited;
      },
    };
    daemons.add(daemon);
    const timer = setTimeout(() => {
      void daemon.stop();
      reject(new Error(`jobs ${args.join(' ')} printed no URL:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = (options.urlPattern ?? API_URL).exec(output);
      if (match?.[1] !== undefined && /Press Ctrl-C/.test(output)) {
        clearTimeout(timer);
        resolve({ ...daemon, url: match[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`jobs ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
}

/** Polls `check` until it returns a value other than null/undefined/false. */
export async function waitFor<T>(
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
