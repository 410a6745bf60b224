import { request } from 'node:http';
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

  it('refuses a token shorter than 32 characters at start, saying how to make one', async () => {
    for (const command of ['serve', 'start']) {
      const result = await jobs([command, '--config', FIXTURE_CONFIG, '--port', '0'], {
        env: { ...env, JOBS_API_TOKEN: 'too-short-secret' },
      });
      expect(result.code, command).toBe(2);
      expect(result.stderr, command).toMatch(
        /JOBS_API_TOKEN: the API token is 16 characters long; it needs at least 32/,
      );
      expect(result.stderr, command).toMatch(/openssl rand -hex 32/);
      expect(result.stderr, command).not.toMatch(/\n\s+at /);
      expect(result.stdout, command).not.toMatch(/is running/);
    }
  });

  it('refuses allowed hosts and origins that are not hosts and origins', async () => {
    const hosts = await jobs(['serve', '--config', FIXTURE_CONFIG, '--port', '0'], {
      env: { ...env, JOBS_ALLOWED_HOSTS: 'ok.example,https://jobs.example.com/' },
    });
    expect(hosts.code).toBe(2);
    expect(hosts.stderr).toMatch(
      /JOBS_ALLOWED_HOSTS.*"https:\/\/jobs\.example\.com\/" is not a host name/,
    );
    const origins = await jobs(['serve', '--config', FIXTURE_CONFIG, '--port', '0'], {
      env: { ...env, JOBS_ALLOWED_ORIGINS: 'admin.example.com' },
    });
    expect(origins.code).toBe(2);
    expect(origins.stderr).toMatch(/JOBS_ALLOWED_ORIGINS.*"admin\.example\.com" is not an origin/);
  });

  it('answers only allowed hosts, and refuses cross-site state changes', async () => {
    const server = await startDaemon(['serve', '--config', FIXTURE_CONFIG, '--port', '0'], {
      env: { ...env, JOBS_ALLOWED_HOSTS: 'jobs.example.com' },
    });
    const port = new URL(server.url).port;
    const at = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request(`${server.url}/api/handlers`, { headers: { Host: host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await at(`evil.example:${port}`)).toBe(421);
    expect(await at(`jobs.example.com:${port}`)).toBe(200);
    expect(await at(`localhost:${port}`)).toBe(200);
    const paused = await fetch(`${server.url}/api/queues/default/pause`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example' },
    });
    expect(paused.status).toBe(403);
    expect(await server.stop()).toBe(0);
  });

  it('listens beyond loopback with a token, and names a port in use', async () => {
    const server = await startDaemon(
      ['serve', '--config', FIXTURE_CONFIG, '--host', '0.0.0.0', '--port', '0'],
      { env: { ...env, JOBS_API_TOKEN: 'listen-secret-0123456789abcdef0123' } },
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
