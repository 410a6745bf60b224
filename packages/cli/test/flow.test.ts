import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandEnv,
  type Daemon,
  FIXTURE_CONFIG,
  jobs,
  type Result,
  startDaemon,
  trackDaemons,
  waitFor,
} from './helpers.js';

describe('jobs flow, jobs run --depends-on and jobs show with dependencies', () => {
  trackDaemons();
  let schema: TestSchema;
  let server: Daemon;
  let dir: string;
  const cli = (...args: string[]): Promise<Result> =>
    jobs(args, { env: commandEnv({ JOBS_URL: server.url }) });
  const json = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    schema = await createTestSchema('cli_flow');
    dir = await mkdtemp(join(tmpdir(), 'jobs-cli-flow-'));
    server = await startDaemon(['start', '--config', FIXTURE_CONFIG, '--port', '0'], {
      env: commandEnv({
        DATABASE_URL: schema.url,
        JOBS_SCHEMA: schema.schema,
        BACKGROUND_JOB_LOG_DIRECTORY: join(dir, 'jobs.log'),
        BACKGROUND_JOB_ERROR_LOG_DIRECTORY: join(dir, 'errors.log'),
      }),
    });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await schema?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('enqueues a diamond from a file, runs it, and shows dependencies and dependents', async () => {
    const file = join(dir, 'diamond.json');
    await writeFile(
      file,
      JSON.stringify({
        jobs: {
          a: { handler: 'math', method: 'add', params: [1, 1] },
          b: { handler: 'math', method: 'add', params: [2, 2], dependsOn: ['a'] },
          c: { handler: 'math', method: 'add', params: [3, 3], dependsOn: ['a'] },
          d: { handler: 'math', method: 'add', params: [4, 4], dependsOn: ['b', 'c'] },
        },
      }),
    );
    const stored = await json('flow', file);
    expect(Object.keys(stored.jobs)).toEqual(['a', 'b', 'c', 'd']);
    const d = stored.jobs.d.id;
    await waitFor(async () => (await json('show', d)).state === 'completed', 20_000, 'd completed');
    const shown = await json('show', d);
    expect(shown.dependsOn.map((j: { id: string; state: string }) => [j.id, j.state])).toEqual([
      [stored.jobs.b.id, 'completed'],
      [stored.jobs.c.id, 'completed'],
    ]);
    expect(shown.dependents).toEqual([]);
    const text = await cli('show', stored.jobs.a.id);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Dependents');
    expect(text.stdout).toMatch(new RegExp(`${stored.jobs.b.id}\\s+completed\\s+math\\.add`));
    const plain = await cli('flow', file);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^a {2}\d+ {2}queued$/m);
  }, 60_000);

  it('run --depends-on waits for an existing job; list --state waiting finds it', async () => {
    const slow = (await cli('run', 'slow', 'wait', '[8000]')).stdout.trim();
    const waiting = (await cli('run', 'math', 'add', '[5, 5]', '--depends-on', slow)).stdout.trim();
    expect((await json('show', waiting)).state).toBe('waiting');
    const listed = await json('list', '--state', 'waiting');
    expect(listed.map((j: { id: string }) => j.id)).toContain(waiting);
    await waitFor(async () => (await json('show', waiting)).state === 'completed', 20_000, 'ran');
    expect((await json('show', waiting)).result).toBe(10);
  }, 60_000);

  it('refuses a bad flow naming the field (exit 2) and bad flags', async () => {
    const file = join(dir, 'cycle.json');
    await writeFile(
      file,
      JSON.stringify({
        jobs: {
          a: { handler: 'math', method: 'add', params: [1, 1], dependsOn: ['b'] },
          b: { handler: 'math', method: 'add', params: [1, 1], dependsOn: ['a'] },
        },
      }),
    );
    const cycle = await cli('flow', file);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toContain('jobs.a');
    expect(cycle.stderr).toContain('cycle');
    const badId = await cli('run', 'math', 'add', '[1, 1]', '--depends-on', '1,x');
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('--depends-on');
    const missing = await cli('run', 'math', 'add', '[1, 1]', '--depends-on', '987654');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('dependsOn.0');
  }, 60_000);
});
