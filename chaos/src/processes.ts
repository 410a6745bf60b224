import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { rssMiB } from '@jobs/storage/testing';
import { killAll, type SpawnedWorker, spawnWorker } from '@jobs/worker/testing';
import { EXECUTIONS_DIR_ENV } from './executions.js';

/** The built scenario handlers and API script (the same path from src/ and from dist/). */
export const HANDLERS_MODULE = fileURLToPath(new URL('../dist/handlers.js', import.meta.url));
const API_SCRIPT = fileURLToPath(new URL('../dist/api-process.js', import.meta.url));

/** Everything a scenario started, so one call ends it all. */
export class Processes {
  readonly #children: ChildProcess[] = [];

  /**
   * Starts a worker process serving the scenario handlers (or another registry module, such as
   * a mutant's), whose handlers write their executions into `executions` (a directory).
   */
  async worker(options: {
    url: string;
    schema: string;
    executions: string;
    handlers?: string;
    env?: Readonly<Record<string, string>>;
    args?: readonly string[];
    cwd?: string;
    /** Scheduling niceness (0-19), as a background daemon sharing a machine with the API runs. */
    nice?: number;
  }): Promise<SpawnedWorker> {
    const { nice, executions, handlers, env, ...rest } = options;
    const worker = await spawnWorker({
      ...rest,
      handlers: handlers ?? HANDLERS_MODULE,
      env: { JOBS_LOG_LEVEL: 'error', ...env, [EXECUTIONS_DIR_ENV]: executions },
    });
    this.#children.push(worker.child);
    if (nice !== undefined && worker.child.pid !== undefined) setPriority(worker.child.pid, nice);
    return worker;
  }

  /** Starts the API in a process of its own; resolves with its URL once it listens. */
  async api(options: {
    url: string;
    schema: string;
    env?: Readonly<Record<string, string>>;
  }): Promise<{ url: string; child: ChildProcess }> {
    const child = spawn(process.execPath, [API_SCRIPT], {
      env: {
        ...process.env,
        ...options.env,
        DATABASE_URL: options.url,
        JOBS_SCHEMA: options.schema,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.push(child);
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      process.stderr.write(chunk);
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const line = out.split('\n').find((l) => l.includes('"type":"ready"'));
        if (line !== undefined) resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => reject(new Error(`api exited with ${code}: ${err.trim()}`)));
    });
    return { url, child };
  }

  /** SIGKILLs everything still running. */
  killAll(): void {
    killAll(this.#children);
  }
}

/** Samples the RSS of some processes every `everyMs` until stopped. */
export function sampleRss(pids: () => readonly number[], everyMs = 1_000) {
  const samples = new Map<number, number[]>();
  const timer = setInterval(() => {
    for (const pid of pids()) {
      void rssMiB(pid).then((mib) => {
        if (mib === 0) return;
        const list = samples.get(pid) ?? [];
        list.push(mib);
        samples.set(pid, list);
      });
    }
  }, everyMs);
  return {
    stop: () => clearInterval(timer),
    samples: () => samples,
  };
}
