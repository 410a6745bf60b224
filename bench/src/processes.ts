import { type ChildProcess, spawn } from 'node:child_process';
import { rssMiB } from '@jobs/storage/testing';

/** Children still running, killed if the harness exits first (e.g. on Ctrl-C). */
const live = new Set<ChildProcess>();
let cleanupInstalled = false;
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(130));
  }
}

/** A child process of the harness: its JSON lines on stdout, its peak memory, its stop. */
export interface Child {
  readonly pid: number;
  readonly name: string;
  /** Peak resident memory seen so far, in MiB (sampled every 100 ms). */
  peakRssMiB(): number;
  /** Resolves with the first JSON line on stdout whose `type` is `type`. */
  message<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** Sends a message over the IPC channel (processes started with `ipc: true`). */
  send(message: Record<string, unknown>): void;
  /** Forgets the messages of `type` received so far (to wait for the next one). */
  forget(type: string): void;
  /** The last lines the process wrote on stderr. */
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

/**
 * Node flags for every child, from `BENCH_NODE_ARGS` (split on spaces), e.g.
 * `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile the workers and clients:
 * Node refuses `--cpu-prof` in NODE_OPTIONS.
 */
const childNodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

/** Starts `node <script> ...args` and samples its memory. */
export function spawnNode(
  name: string,
  script: string,
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; ipc?: boolean } = {},
): Child {
  const child: ChildProcess = spawn(process.execPath, [...childNodeArgs, script, ...args], {
    stdio: options.ipc === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: process did not start`);
  installCleanup();
  live.add(child);
  let peak = 0;
  const sampler = setInterval(() => {
    void rssMiB(pid).then((mib) => {
      peak = Math.max(peak, mib);
    });
  }, 100);
  const messages: Record<string, unknown>[] = [];
  const waiting = new Set<() => void>();
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (!line.startsWith('{')) continue;
      try {
        messages.push(JSON.parse(line) as Record<string, unknown>);
        for (const wake of waiting) wake();
      } catch {
        // not one of ours
      }
    }
  });
  child.on('message', (message) => {
    if (typeof message === 'object' && message !== null) {
      messages.push(message as Record<string, unknown>);
      for (const wake of waiting) wake();
    }
  });
  let errText = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errText = (errText + chunk.toString('utf8')).slice(-4000);
  });
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      clearInterval(sampler);
      exitCode = code;
      for (const wake of waiting) wake();
      resolve(code);
    });
  });
  return {
    pid,
    name,
    peakRssMiB: () => Math.round(peak),
    stderr: () => errText.trim(),
    send: (message) => {
      child.send(message);
    },
    forget: (type) => {
      for (let i = messages.length - 1; i >= 0; i -= 1) {
        if (messages[i]?.type === type) messages.splice(i, 1);
      }
    },
    exited,
    message: <T>(type: string, timeoutMs = 120_000) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`${name}: no "${type}" within ${timeoutMs} ms; stderr: ${errText}`));
        }, timeoutMs);
        const check = () => {
          const found = messages.find((m) => m.type === type);
          if (found !== undefined) {
            clearTimeout(timer);
            waiting.delete(check);
            resolve(found as T);
          } else if (exitCode !== undefined) {
            clearTimeout(timer);
            waiting.delete(check);
            reject(new Error(`${name}: exited (${exitCode}) before "${type}"; stderr: ${errText}`));
          }
        };
        waiting.add(check);
        check();
      }),
    stop: async (signal = 'SIGTERM', graceMs = 60_000) => {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
