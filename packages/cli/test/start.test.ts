import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEnv, DEMO_CONFIG, jobs, startDaemon, trackDaemons } from './helpers.js';

describe('jobs start with the demo config (embedded PostgreSQL in ./.jobs)', () => {
  trackDaemons();
  let cwd: string;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'jobs-start-'));
    // As root, initdb runs as the 'postgres' user, who must be able to enter the folder.
    await chmod(cwd, 0o755);
  });

  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('serves /healthz, the API and /, runs a demo job to completion, and stops cleanly', async () => {
    const env = commandEnv({ PORT: '0', MAX_RETRIES: '5' });
    const server = await startDaemon(['start', '--config', DEMO_CONFIG], {
      env,
      cwd,
      timeoutMs: 90_000,
    });
    expect(server.output()).toMatch(/embedded PostgreSQL in \.jobs \(started\)/);
    const state = JSON.parse(readFileSync(join(cwd, '.jobs', 'postgres.json'), 'utf8')) as {
      pid: number;
    };
    expect(isAlive(state.pid)).toBe(true);

    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const handlers = (await (await fetch(`${server.url}/api/handlers`)).json()) as {
      handlers: { name: string }[];
    };
    expect(handlers.handlers.map((h) => h.name)).toContain('App\\Services\\SomeClass');
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);

    const client = commandEnv({ JOBS_URL: server.url });
    const run = await jobs(
      ['run', 'App\\Services\\SomeClass', 'someMethod', '["hello", 2]', '--wait', '--json'],
      { env: client },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      state: 'completed',
      result: 'processed hello × 2',
      maxAttempts: 6,
    });

    const isolated = await jobs(['run', 'primes', 'count', '[20000]', '--wait', '--json'], {
      env: client,
    });
    expect(isolated.code).toBe(0);
    expect(JSON.parse(isolated.stdout)).toMatchObject({
      state: 'completed',
      result: { primes: 2262 },
    });

    // Another process joins the running embedded server and leaves it running.
    const migrated = await jobs(['migrate', '--config', DEMO_CONFIG], { env: commandEnv(), cwd });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/\(joined\)/);
    expect(isAlive(state.pid)).toBe(true);

    expect(await server.stop()).toBe(0);
    expect(server.output()).toMatch(/stopped/);
    expect(isAlive(state.pid)).toBe(false);
    expect(existsSync(join(cwd, '.jobs', 'postgres.json'))).toBe(false);
  });
});
