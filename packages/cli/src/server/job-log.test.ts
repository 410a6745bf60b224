import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandEnv,
  type Daemon,
  FIXTURE_CONFIG,
  jobs,
  startDaemon,
  trackDaemons,
  waitFor,
} from '../../test/helpers.js';

describe('jobs serve writes the job log lines of the changes it makes', () => {
  trackDaemons();
  let schema: TestSchema;
  let server: Daemon;
  let logDir: string;
  let logFile: string;
  const cli = (...args: string[]) => jobs(args, { env: commandEnv({ JOBS_URL: server.url }) });

  /** The lines of the job log, as `<id> <status> <worker>`. */
  const lines = async (): Promise<string[]> => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const id = /\bid=(\d+)/.exec(l)?.[1];
        const status = /\bstatus=(\S+)/.exec(l)?.[1];
        const worker = /\bworker=("[^"]*")/.exec(l)?.[1] ?? '""';
        return `${id} ${status} ${JSON.parse(worker).replace(/:\d+$/, ':<pid>')}`;
      });
  };

  beforeAll(async () => {
    schema = await createTestSchema('cli_joblog');
    logDir = await mkdtemp(join(tmpdir(), 'jobs-serve-log-'));
    logFile = join(logDir, 'jobs.log');
    // `serve` runs no worker: every line in the log is the API's.
    server = await startDaemon(['serve', '--config', FIXTURE_CONFIG, '--port', '0'], {
      env: commandEnv({
        DATABASE_URL: schema.url,
        JOBS_SCHEMA: schema.schema,
        BACKGROUND_JOB_LOG_DIRECTORY: logFile,
      }),
    });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await schema?.drop();
    await rm(logDir, { recursive: true, force: true });
  });

  it('appends a line for a cancel and a retry made with the CLI, and for a bulk delete', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const run = await cli('run', 'math', 'add', `[${n}, 1]`, '--delay', '600');
      expect(run.code).toBe(0);
      ids.push(run.stdout.trim());
    }
    const [first = '', second = '', third = ''] = ids;
    expect((await cli('cancel', first)).code).toBe(0);
    expect((await cli('retry', first)).code).toBe(0);
    const host = `api:${(await import('node:os')).hostname()}:<pid>`;
    await waitFor(async () => (await lines()).length === 2, 10_000, 'two lines');
    expect(await lines()).toEqual([`${first} cancelled ${host}`, `${first} queued ${host}`]);

    const bulk = await fetch(`${server.url}/api/jobs/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'cancel', ids: [second, third] }),
    });
    expect(((await bulk.json()) as { changed: number }).changed).toBe(2);
    const deleted = await fetch(`${server.url}/api/jobs/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ action: 'delete', filter: { state: ['cancelled'] } }),
    });
    expect(((await deleted.json()) as { changed: number }).changed).toBe(2);
    await waitFor(async () => (await lines()).length === 6, 10_000, 'six lines');
    const rest = (await lines()).slice(2);
    expect(rest.slice(0, 2).sort()).toEqual(
      [`${second} cancelled ${host}`, `${third} cancelled ${host}`].sort(),
    );
    expect(rest.slice(2).sort()).toEqual(
      [`${second} deleted ${host}`, `${third} deleted ${host}`].sort(),
    );
  });
});
