import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPgStore, migrate, type PgJobStore } from '@jobs/storage';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '@jobs/storage/embedded';
import { afterAll, describe, expect, it } from 'vitest';
import { newJob, sleep, waitFor } from './helpers.js';
import { killAll, spawnWorker } from './spawn-worker.js';

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
    await sql`CREATE TABLE completions (job_id bigint NOT NULL)`;
    await sql.unsafe(`
      CREATE FUNCTION record_completion() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO completions VALUES (NEW.id); RETURN NULL; END $$;
      CREATE TRIGGER record_completion AFTER UPDATE OF state ON jobs FOR EACH ROW
        WHEN (NEW.state = 'completed') EXECUTE FUNCTION record_completion();`);
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
    const [totals] = await sql<
      { recorded: number; distinct_recorded: number; failed_attempts: number }[]
    >`
      SELECT (SELECT count(*)::int FROM completions) AS recorded,
             (SELECT count(DISTINCT job_id)::int FROM completions) AS distinct_recorded,
             (SELECT count(*)::int FROM jobs WHERE errors <> '[]'::jsonb) AS failed_attempts`;
    console.log(
      `restart test: ${JOBS} jobs completed after a 3 s outage; ${totals?.failed_attempts} had a failed attempt`,
    );
    expect(totals).toMatchObject({ recorded: JOBS, distinct_recorded: JOBS });
    for (const child of children) expect(child.exitCode).toBeNull();
  }, 120_000);
});
