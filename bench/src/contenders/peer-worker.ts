// A peer's worker as its own process: `node peer-worker.js '<PeerWorkerConfig JSON>'`. Runs the
// shared no-op handler (recorder.ts), prints {"type":"ready"} once it is taking jobs, and on
// SIGTERM stops the peer gracefully, then exits (the recorder writes its file at exit).
import { Logger, run } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { recordExecution, writeExecutionsAtExit } from './recorder.js';
import {
  graphileFastPreset,
  PEER_TASK,
  type PeerWorkerConfig,
  PGBOSS_FAST_BATCH,
  PGBOSS_FAST_POLLING_SECONDS,
  PGBOSS_FAST_WORKERS,
} from './settings.js';

const config = JSON.parse(process.argv[2] ?? '{}') as PeerWorkerConfig;
writeExecutionsAtExit();

/** At most `limit` calls of `fn` at once, shared by every caller. */
function limiter(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => T | Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await fn();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

async function startGraphile(): Promise<() => Promise<void>> {
  const logger = new Logger(() => (level, message) => {
    if (level === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
  });
  const runner = await run({
    connectionString: config.url,
    concurrency: config.concurrency,
    noHandleSignals: true,
    logger,
    taskList: {
      [PEER_TASK]: (_payload, helpers) => {
        recordExecution(helpers.job.id);
      },
    },
    ...(config.settings === 'fast' ? { preset: graphileFastPreset(config.concurrency) } : {}),
  });
  return () => runner.stop();
}

async function startPgBoss(): Promise<() => Promise<void>> {
  const boss = new PgBoss({ connectionString: config.url });
  boss.on('error', (error) => process.stderr.write(`pg-boss: ${String(error)}\n`));
  await boss.start();
  if ((await boss.getQueue(PEER_TASK)) === null) await boss.createQueue(PEER_TASK);
  if (config.settings === 'default') {
    // v10's way to run jobs concurrently: one polling worker per work() call.
    for (let i = 0; i < config.concurrency; i += 1) {
      await boss.work(PEER_TASK, async (jobs) => {
        for (const job of jobs) recordExecution(job.id);
      });
    }
  } else {
    const limit = limiter(config.concurrency);
    for (let i = 0; i < PGBOSS_FAST_WORKERS; i += 1) {
      await boss.work(
        PEER_TASK,
        { batchSize: PGBOSS_FAST_BATCH, pollingIntervalSeconds: PGBOSS_FAST_POLLING_SECONDS },
        async (jobs) => {
          await Promise.all(jobs.map((job) => limit(() => recordExecution(job.id))));
        },
      );
    }
  }
  return () => boss.stop({ graceful: true, wait: true });
}

const stop = config.system === 'graphile-worker' ? await startGraphile() : await startPgBoss();
let stopping = false;
const shutdown = () => {
  if (stopping) process.exit(1);
  stopping = true;
  stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`stop failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdout.write(`${JSON.stringify({ type: 'ready', pid: process.pid })}\n`);
