import { fork } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OperationError } from '../cli/errors.js';
import type { HostMessage } from './embedded-protocol.js';

const HOST_PATH = fileURLToPath(new URL('./embedded-host.js', import.meta.url));

/** How long initdb and the first start may take. */
const READY_TIMEOUT_MS = 120_000;
/** How long a fast shutdown may take. */
const STOP_TIMEOUT_MS = 45_000;

/** The embedded server, started (owner) or joined through `<dir>/postgres.json`. */
export interface EmbeddedDatabase {
  readonly url: string;
  readonly owner: boolean;
  /** Absolute folder of the server's files. */
  readonly dir: string;
  /** Owner: stops the server (waits for it). Joiner: nothing. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts or joins the embedded PostgreSQL in `dir` through a detached keeper process (see
 * embedded-host.ts), so that the terminal's Ctrl-C does not stop it before the CLI is done.
 */
export async function startEmbeddedDatabase(dir: string, cwd: string): Promise<EmbeddedDatabase> {
  const base = resolve(cwd, dir);
  mkdirSync(base, { recursive: true });
  const logFile = join(base, 'postgres-host.log');
  const log = openSync(logFile, 'a');
  const child = fork(HOST_PATH, [base], {
    cwd,
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    execArgv: [],
    serialization: 'json',
  });
  closeSync(log);
  const ready = await new Promise<Extract<HostMessage, { type: 'ready' }>>((done, fail) => {
    const failWith = (why: string) =>
      fail(
        new OperationError(`the embedded PostgreSQL in ${base} did not start: ${why}`, {
          hint: `see ${logFile}, or set DATABASE_URL to use another PostgreSQL`,
        }),
      );
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      failWith(`not ready after ${READY_TIMEOUT_MS / 1000} s`);
    }, READY_TIMEOUT_MS);
    child.on('message', (message: HostMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        done(message);
      } else if (message.type === 'error') {
        clearTimeout(timer);
        failWith(message.message);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      failWith(`its keeper exited with code ${code}\n${tail(logFile)}`);
    });
  });
  child.removeAllListeners('exit');
  if (!ready.owner) {
    child.disconnect?.();
    child.unref();
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    if (!ready.owner) return Promise.resolve();
    stopping ??= new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done();
      }, STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
    });
    return stopping;
  };
  return { url: ready.url, owner: ready.owner, dir: base, stop };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}
