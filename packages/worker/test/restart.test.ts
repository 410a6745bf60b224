import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPgStore, migrate, type PgJobStore } from '@jobs/storage';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '@jobs/storage/embedded';
import { installCompletionAudit } from '@jobs/storage/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, spawnWorker } from '../src/testing/index.js';
import { newJob, sleep, waitFor } from './helpers.js';

const HANDLERS = fileURLToPath(new URL('./fixtures/process-handlers.mjs', import.meta.url));
const JOBS = 2_000;
const SCHEMA = 'jobs';

describe('PostgreSQL restarting under running workers', () => {
  const children: ChildProcess[] = [];
  let dir = '';
  let server: EmbeddedPostgresHandle | undefined;
  let store: PgJobStore | undefined;

  afterAll(async () => {
    killAll(children);
    await store?.close();
    await server?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('every job still completes, each recorded once, after the server stops and starts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-restart-'));
    await chmod(dir, 0o755); // the server runs as the 'postgres' OS user when we are root
    server = await startEmbeddedPostgres({ dir: join(dir, 'db') });
    const { url, port } = server;
    await migrate({ url, schema: SCHEMA });
    store = createPgStore({ url, schema: SCHEMA, max: 2 });
    const sql = store.connection.sql;
    const audit = await installCompletionAudit(sql);
    await store.jobInsert({
      jobs: Array.from({ length: JOBS }, (_, i) =>
        newJob({ handler: 'echo', method: 'slow', params: [5 + (i % 10)] }),
      ),
    });
    for (let i = 0; i < 2; i += 1) {
      const worker = await spawnWorker({
        url,
        schema: SCHEMA,
        handlers: HANDLERS,
        cwd: dir,
        args: ['--concurrency', '8', '--poll-interval-ms', '200'],
        env: { JOBS_LOG_LEVEL: 'error' },
      });
      children.push(worker.child);
    }
    const completed = async () => {
      const [row] = await sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM jobs WHERE state = 'completed'`;
      return row?.n ?? 0;
    };
    await waitFor(async () => (await completed()) >= JOBS / 5, 30_000, 'a fifth of the jobs done');

    await server.stop();
    await sleep(3_000);
    server = await startEmbeddedPostgres({ dir: join(dir, 'db'), port });
    expect(server.url).toBe(url);

    await waitFor(async () => (await completed()) === JOBS, 60_000, 'every job completed');
    const totals = await audit.totals();
    const [retried] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM jobs WHERE errors <> '[]'::jsonb`;
    console.log(
      `restart test: ${JOBS} jobs completed after a 3 s outage; ${retried?.n} had a failed attempt`,
    );
    expect(totals).toEqual({ completed: JOBS, recorded: JOBS, distinctRecorded: JOBS });
    for (const child of children) expect(child.exitCode).toBeNull();
  }, 120_000);
});
