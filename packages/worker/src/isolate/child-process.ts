import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IsolatedProcessError } from '../errors.js';
import { isRunnerMessage, type RunMessage, thrownFromRunner } from './protocol.js';

/** The runner script, shipped as plain JavaScript beside `dist` and `src`. */
export const RUNNER_PATH = fileURLToPath(
  new URL('../../runtime/isolate-runner.mjs', import.meta.url),
);

/** How an isolated call is run and stopped. */
export interface IsolatedRunOptions {
  /** Aborting it kills the child: SIGTERM, then SIGKILL after `killGraceMs`. */
  readonly signal: AbortSignal;
  readonly killGraceMs: number;
  /** Node options of the child (default: none, so loaders of a test runner do not leak in). */
  readonly execArgv: readonly string[];
  readonly onProgress: (value: unknown) => void;
  readonly onLog: (line: string) => void;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** util-linux's setpriv, which can make the kernel kill a child when its parent dies. */
const SETPRIV = '/usr/bin/setpriv';

/**
 * How to start the child so that it dies with this process, even when this process is killed
 * with SIGKILL (a busy child never sees its IPC channel close): on Linux with setpriv, the child
 * runs under `setpriv --pdeathsig KILL`; elsewhere the exit hook below is all there is.
 */
function launcher(execArgv: readonly string[]): { execPath?: string; execArgv: string[] } {
  if (process.platform !== 'linux' || !existsSync(SETPRIV)) return { execArgv: [...execArgv] };
  return { execPath: SETPRIV, execArgv: ['--pdeathsig', 'KILL', process.execPath, ...execArgv] };
}

/**
 * Runs one call in a fresh child process and resolves to its (JSON) result; rejects with what
 * the handler threw, with IsolatedProcessError when the child died without answering, or with
 * the signal's reason when aborted. The child's stdout and stderr go to this process's stderr,
 * so stdout stays JSON.
 */
export function runIsolated(message: RunMessage, options: IsolatedRunOptions): Promise<unknown> {
  const { signal, killGraceMs } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  installExitHook();
  return new Promise<unknown>((resolve, reject) => {
    const child = fork(RUNNER_PATH, [], {
      stdio: ['ignore', 2, 2, 'ipc'],
      ...launcher(options.execArgv),
      serialization: 'json',
    });
    live.add(child);
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      terminate(child, killGraceMs);
      settle(() => reject(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('message', (raw: unknown) => {
      if (!isRunnerMessage(raw)) return;
      if (raw.type === 'progress') return safely(() => options.onProgress(raw.value));
      if (raw.type === 'log') return safely(() => options.onLog(raw.line));
      if (raw.type === 'result') settle(() => resolve(raw.value));
      else settle(() => reject(thrownFromRunner(raw)));
      // The runner exits by itself once it has answered; make sure it does.
      terminateLater(child, killGraceMs);
    });
    child.once('error', (error) => settle(() => reject(error)));
    child.once('exit', (code, exitSignal) => {
      live.delete(child);
      settle(() =>
        reject(
          new IsolatedProcessError(
            exitSignal === null
              ? `the isolated handler's process exited with code ${code} before answering`
              : `the isolated handler's process was killed by ${exitSignal} before answering`,
            code,
            exitSignal,
          ),
        ),
      );
    });
    child.send(message, (error) => {
      if (error !== null && error !== undefined) settle(() => reject(error));
    });
  });
}

/** How many isolated children are alive (for tests and diagnostics). */
export function liveIsolatedChildren(): number {
  return live.size;
}

function terminate(child: ChildProcess, graceMs: number): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  terminateLater(child, graceMs);
}

function terminateLater(child: ChildProcess, graceMs: number): void {
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, graceMs);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A bad progress report from the child must not end the attempt.
  }
}

/** Kills every live child when this process exits, so no isolated handler outlives its worker. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}
