import { fileURLToPath } from 'node:url';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandEnv,
  type Daemon,
  jobs,
  type Result,
  startDaemon,
  trackDaemons,
} from './helpers.js';

// `jobs run` against a server whose handlers inherit from built-in classes: an inherited method
// is refused with exit 2 and a message naming it and the methods that may run.

const CONFIG = fileURLToPath(new URL('./fixtures/allowlist.config.ts', import.meta.url));

describe('jobs run and the allow-list', () => {
  trackDaemons();
  let schema: TestSchema;
  let server: Daemon;
  const cli = (...args: string[]): Promise<Result> =>
    jobs(args, { env: commandEnv({ JOBS_URL: server.url }) });

  beforeAll(async () => {
    schema = await createTestSchema('cli_allowlist');
    server = await startDaemon(['serve', '--config', CONFIG, '--port', '0'], {
      env: commandEnv({ DATABASE_URL: schema.url, JOBS_SCHEMA: schema.schema }),
    });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await schema?.drop();
  });

  it.each([
    ['bus', 'emit', '["error"]', 'publish'],
    ['bus', 'setMaxListeners', '[99]', 'publish'],
    ['bus', 'removeAllListeners', '[]', 'publish'],
    ['cache', 'set', '["k", 1]', 'remember'],
    ['batch', 'push', '[1]', 'total'],
    ['guarded', 'render', '["eve"]', 'send'],
  ])('refuses %s.%s with exit 2, naming the method', async (name, method, params, allowed) => {
    const result = await cli('run', name, method, params);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `method "${method}" is not a registered method of handler "${name}"`,
    );
    expect(result.stderr).toContain(`methods of ${name}: ${allowed}\n`);
  });

  it('stores nothing for the refused runs, and runs declared methods', async () => {
    const list = async () =>
      (JSON.parse((await cli('list', '--json')).stdout) as { handler: string; method: string }[])
        .map((job) => `${job.handler}.${job.method}`)
        .sort();
    expect(await list()).toEqual([]);
    for (const [name, method] of [
      ['bus', 'publish'],
      ['sales', 'header'],
      ['sales', 'build'],
      ['guarded', 'send'],
      // TypeScript private is not enforced at run time: only `methods` keeps it out.
      ['mailer', 'render'],
    ] as const) {
      // Each with the count of params the method declares (checked without a schema).
      const result = await cli('run', name, method, name === 'sales' ? '[]' : '["x"]');
      expect(result.stderr, `${name}.${method}`).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^\d+\n$/);
    }
    expect(await list()).toEqual([
      'bus.publish',
      'guarded.send',
      'mailer.render',
      'sales.build',
      'sales.header',
    ]);
  });
});
