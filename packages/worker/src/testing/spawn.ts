import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built worker daemon (the same path from src/testing and from dist/testing). */
export const WORKER_BIN = fileURLToPath(new URL('../../dist/bin/worker.js', import.meta.url));

/** A worker process and everything it printed on stdout, line by line. */
export interface SpawnedWorker {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `dist/bin/worker.js` with `args` on `url`/`schema` and resolves once it printed its
 * ready line. The caller kills it (see `killAll`).
 */
export async function spawnWorker(options: {
  url: string;
  schema: string;
  handlers: string;
  args?: readonly string[];
  cwd?: string;
  env?: Readonly<Record<string, string>>;
}): Promise<SpawnedWorker> {
  if (!existsSync(WORKER_BIN)) {
    throw new Error(`${WORKER_BIN} is missing: build the package first (pnpm build)`);
  }
  const child = spawn(
    process.execPath,
    [WORKER_BIN, '--handlers', options.handlers, ...(options.args ?? [])],
    {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: {
        ...process.env,
        ...options.env,
        DATABASE_URL: options.url,
        JOBS_SCHEMA: options.schema,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the worker printed no ready line within 15 s'));
    }, 15_000);
    const check = setInterval(() => {
      if (!lines.some((l) => l.includes('"type":"ready"'))) return;
      clearInterval(check);
      clearTimeout(timer);
      resolve();
    }, 10);
    void exited.then(({ code, signal }) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code ?? signal}) before it was ready`));
    });
  });
  return { child, lines, exited };
}

/** SIGKILLs every child still running. */
export function killAll(children: readonly ChildProcess[]): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
