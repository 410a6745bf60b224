import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The worker daemon's executable, beside the built @jobs/worker entry point. */
const WORKER_BIN = fileURLToPath(new URL('./bin/worker.js', import.meta.resolve('@jobs/worker')));
/** The bench handlers module, built next to this file. */
const HANDLERS = fileURLToPath(new URL('./handlers.js', import.meta.url));

/** A worker daemon running as its own process. */
export interface WorkerProcess {
  readonly pid: number;
  /** Peak resident memory seen so far, in MiB (sampled every 100 ms). */
  peakRssMiB(): number;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** Starts `jobs-worker` on the bench schema and resolves once it prints its ready line. */
export async function startWorkerProcess(options: {
  url: string;
  schema: string;
  concurrency: number;
  /** Announce every job change (the default) or only what workers need. */
  changeEvents?: boolean;
}): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      WORKER_BIN,
      '--handlers',
      HANDLERS,
      '--database-url',
      options.url,
      '--schema',
      options.schema,
      '--concurrency',
      String(options.concurrency),
      '--change-events',
      options.changeEvents === false ? 'off' : 'on',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, JOBS_LOG_LEVEL: 'warn' } },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('worker process did not start');
  let peak = 0;
  const sampler = setInterval(() => {
    void rssMiB(pid).then((mib) => {
      peak = Math.max(peak, mib);
    });
  }, 100);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.includes('"ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before ready`)));
  });
  return {
    pid,
    peakRssMiB: () => Math.round(peak),
    stop: async () => {
      clearInterval(sampler);
      child.kill('SIGTERM');
      await exited;
    },
  };
}
