// A contender's client as its own process: `node client.js '<ClientConfig JSON>'`.
// bulk: `jobs` no-op jobs through the system's batch API, in one call or in sequential calls of
// `callSize`, timed from just before the first call to the last answer (connections opened and
// schemas migrated before), printed as {"type":"result","seconds":...,"calls":...}. trickle: `jobs` single enqueues at `rate` per second, each
// preceded by a wall-clock timestamp; [id, timestamp] pairs are written to `out`.
import { writeFile } from 'node:fs/promises';
import { createClient } from '@jobs/core';
import { createPgStore } from '@jobs/storage';
import { makeWorkerUtils } from 'graphile-worker';
import PgBoss from 'pg-boss';
import { BENCH_SCHEMA } from '../database.js';
import { handlers } from '../handlers.js';
import { wallClockMs } from './recorder.js';
import { type ClientConfig, PEER_TASK } from './settings.js';

const config = JSON.parse(process.argv[2] ?? '{}') as ClientConfig;

/** The two ways a system enqueues, after any setup it needs. */
interface Enqueuer {
  many(n: number): Promise<void>;
  one(): Promise<string>;
  close(): Promise<void>;
}

async function ours(): Promise<Enqueuer> {
  const store = createPgStore({
    url: config.url,
    schema: BENCH_SCHEMA,
    applicationName: 'bench-client',
    ...(config.settings === 'fast' ? { changeEvents: false } : {}),
  });
  const client = createClient(store, handlers);
  await store.connection.sql`SELECT 1`;
  return {
    many: async (n) => {
      await client.enqueueMany(
        Array.from(
          { length: n },
          () => ({ handler: 'bench', method: 'noop', params: [] }) as const,
        ),
      );
    },
    one: async () => (await client.enqueue('bench', 'noop', [])).id,
    close: () => store.close(),
  };
}

async function graphile(): Promise<Enqueuer> {
  const utils = await makeWorkerUtils({ connectionString: config.url });
  await utils.migrate();
  return {
    many: async (n) => {
      await utils.addJobs(
        Array.from({ length: n }, () => ({ identifier: PEER_TASK, payload: {} })),
      );
    },
    one: async () => (await utils.addJob(PEER_TASK, {})).id,
    close: async () => {
      await utils.release();
    },
  };
}

async function pgBoss(): Promise<Enqueuer> {
  // A client, not a worker: no maintenance or cron chores in this process.
  const boss = new PgBoss({ connectionString: config.url, supervise: false, schedule: false });
  boss.on('error', (error) => process.stderr.write(`pg-boss: ${String(error)}\n`));
  await boss.start();
  if ((await boss.getQueue(PEER_TASK)) === null) await boss.createQueue(PEER_TASK);
  return {
    many: async (n) => {
      await boss.insert(Array.from({ length: n }, () => ({ name: PEER_TASK, data: {} })));
    },
    one: async () => {
      const id = await boss.send(PEER_TASK, {});
      if (id === null) throw new Error('pg-boss send returned no id');
      return id;
    },
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

const enqueuer =
  config.system === 'ours'
    ? await ours()
    : config.system === 'graphile-worker'
      ? await graphile()
      : await pgBoss();
try {
  if (config.role === 'bulk') {
    const callSize = config.callSize ?? config.jobs;
    let calls = 0;
    const started = performance.now();
    for (let done = 0; done < config.jobs; done += callSize) {
      await enqueuer.many(Math.min(callSize, config.jobs - done));
      calls += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify({ type: 'result', seconds, jobs: config.jobs, calls })}\n`,
    );
  } else {
    const interval = 1000 / (config.rate ?? 100);
    // [id, wall clock just before the call, wall clock when it answered]
    const sent: [string, number, number][] = [];
    const started = performance.now();
    for (let i = 0; i < config.jobs; i += 1) {
      const wait = started + i * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const at = wallClockMs();
      const id = await enqueuer.one();
      sent.push([id, at, wallClockMs()]);
    }
    if (config.out !== undefined) await writeFile(config.out, JSON.stringify(sent));
    process.stdout.write(`${JSON.stringify({ type: 'result', jobs: sent.length })}\n`);
  }
} finally {
  await enqueuer.close();
}
process.exit(0);
