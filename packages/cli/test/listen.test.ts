import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEnv, FIXTURE_CONFIG, jobs, startDaemon, trackDaemons } from './helpers.js';

describe('where jobs serve may listen', () => {
  trackDaemons();
  let schema: TestSchema;
  let env: Record<string, string>;

  beforeAll(async () => {
    schema = await createTestSchema('cli_listen');
    env = commandEnv({ DATABASE_URL: schema.url, JOBS_SCHEMA: schema.schema });
  });

  afterAll(async () => {
    await schema?.drop();
  });

  it('refuses an address beyond loopback without a token, saying what to do', async () => {
    const result = await jobs(
      ['serve', '--config', FIXTURE_CONFIG, '--host', '0.0.0.0', '--port', '0'],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
    expect(result.stderr).toMatch(/JOBS_API_TOKEN/);
  });

  it('listens beyond loopback with a token, and names a port in use', async () => {
    const server = await startDaemon(
      ['serve', '--config', FIXTURE_CONFIG, '--host', '0.0.0.0', '--port', '0'],
      { env: { ...env, JOBS_API_TOKEN: 'listen-secret' } },
    );
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/api/handlers`)).status).toBe(401);
    const port = new URL(server.url).port;
    const taken = await jobs(['serve', '--config', FIXTURE_CONFIG, '--port', port], { env });
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    expect(taken.stderr).toMatch(/--port/);
    expect(await server.stop()).toBe(0);
  });
});
