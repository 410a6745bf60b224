import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { defineConfig } from './define.js';
import { resolveSettings } from './settings.js';

const config = defineConfig({
  handlers: defineHandlers({ a: { b() {} } }),
  database: { url: 'postgres://config/db', schema: 'app' },
  retries: { max: 2 },
  logs: { jobs: 'var/jobs.log' },
  api: { port: 4000, token: 'from-config', url: 'http://jobs.internal:4000/' },
});

describe('resolveSettings', () => {
  it('takes the default dependency policy from flows, cancel when not given', () => {
    expect(resolveSettings(config, {}).flows).toEqual({ onDependencyFailure: 'cancel' });
    const run = defineConfig({ ...config, flows: { onDependencyFailure: 'run' } });
    expect(resolveSettings(run, {}).flows).toEqual({ onDependencyFailure: 'run' });
  });

  it('takes the config when the environment is silent', () => {
    const s = resolveSettings(config, {});
    expect(s.database).toMatchObject({
      url: 'postgres://config/db',
      source: 'config',
      schema: 'app',
    });
    expect(s.retries.max).toBe(2);
    expect(s.logs).toEqual({ jobs: 'var/jobs.log', errors: undefined });
    expect(s.api).toMatchObject({
      port: 4000,
      token: 'from-config',
      url: 'http://jobs.internal:4000',
    });
  });

  it('lets every environment variable win', () => {
    const s = resolveSettings(config, {
      DATABASE_URL: 'postgres://env/db',
      MAX_RETRIES: '7',
      BACKGROUND_JOB_LOG_DIRECTORY: '/tmp/j.log',
      BACKGROUND_JOB_ERROR_LOG_DIRECTORY: '/tmp/e.log',
      JOBS_API_TOKEN: 'from-env',
      PORT: '5000',
      JOBS_URL: 'http://other:1/',
      JOBS_SCHEMA: 'other',
    });
    expect(s.database).toMatchObject({
      url: 'postgres://env/db',
      source: 'DATABASE_URL',
      schema: 'other',
    });
    expect(s.retries.max).toBe(7);
    expect(s.logs).toEqual({ jobs: '/tmp/j.log', errors: '/tmp/e.log' });
    expect(s.api).toMatchObject({ port: 5000, token: 'from-env', url: 'http://other:1' });
  });

  it('reads allowed hosts and origins from the config, the environment winning', () => {
    const guarded = defineConfig({
      handlers: defineHandlers({ a: { b() {} } }),
      api: { allowedHosts: ['jobs.example.com'], allowedOrigins: ['https://admin.example.com'] },
    });
    expect(resolveSettings(guarded, {}).api).toMatchObject({
      allowedHosts: ['jobs.example.com'],
      allowedOrigins: ['https://admin.example.com'],
      tokenSource: 'api.token',
    });
    const env = resolveSettings(guarded, {
      JOBS_ALLOWED_HOSTS: ' a.example, b.example:8080 ,,',
      JOBS_ALLOWED_ORIGINS: 'https://c.example',
      JOBS_API_TOKEN: 'x',
    }).api;
    expect(env).toMatchObject({
      allowedHosts: ['a.example', 'b.example:8080'],
      allowedOrigins: ['https://c.example'],
      tokenSource: 'JOBS_API_TOKEN',
    });
    expect(resolveSettings(undefined, { JOBS_ALLOWED_HOSTS: ' ' }).api.allowedHosts).toEqual([]);
  });

  it('defaults to the embedded database on 127.0.0.1:3000', () => {
    const s = resolveSettings(undefined, {});
    expect(s.database).toMatchObject({
      url: undefined,
      source: 'embedded',
      dir: '.jobs',
      schema: 'jobs',
    });
    expect(s.api.url).toBe('http://127.0.0.1:3000');
    expect(s.retries.max).toBeUndefined();
  });

  it('refuses a malformed number in the environment, naming it', () => {
    expect(() => resolveSettings(undefined, { MAX_RETRIES: 'lots' })).toThrow(
      /MAX_RETRIES must be a whole number from 0 to 1000, not "lots"/,
    );
    expect(() => resolveSettings(undefined, { PORT: '70000' })).toThrow(/PORT must be/);
  });
});
