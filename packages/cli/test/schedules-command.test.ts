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

const CONFIG = fileURLToPath(new URL('./fixtures/schedules-cli.config.ts', import.meta.url));

describe('jobs schedules, and schedules in jobs.config.ts', () => {
  trackDaemons();
  let schema: TestSchema;
  let server: Daemon;
  const env = (extra: Record<string, string> = {}) =>
    commandEnv({ DATABASE_URL: schema.url, JOBS_SCHEMA: schema.schema, ...extra });
  const start = (extra: Record<string, string> = {}) =>
    startDaemon(['start', '--config', CONFIG, '--port', '0'], { env: env(extra) });
  const cli = (...args: string[]): Promise<Result> =>
    jobs(args, { env: commandEnv({ JOBS_URL: server.url }) });
  const json = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    schema = await createTestSchema('cli_schedules_cmd');
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
    await schema?.drop();
  });

  it('lists the config schedules, shows one with its next 5 runs, pauses, resumes and triggers', async () => {
    const list = await json('schedules');
    expect(list.map((s: { name: string }) => s.name)).toEqual(['hourly-mail', 'nightly-report']);
    expect(list[1]).toMatchObject({
      source: 'config',
      status: 'active',
      timezone: 'Europe/Berlin',
    });
    const table = await cli('schedules');
    expect(table.stdout).toMatch(
      /nightly-report\s+active\s+30 2 \* \* \* \(Europe\/Berlin\)\s+reports\.build/,
    );

    const shown = await cli('schedules', 'show', 'nightly-report');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Schedule nightly-report/);
    expect(shown.stdout).toMatch(/Next runs/);
    expect((await json('schedules', 'show', 'nightly-report')).nextTicks).toHaveLength(5);

    const paused = await cli('schedules', 'pause', 'nightly-report');
    expect(paused.stdout).toMatch(/schedule nightly-report paused/);
    expect((await json('schedules', 'show', 'nightly-report')).status).toBe('paused');
    expect((await cli('schedules', 'resume', 'nightly-report')).stdout).toMatch(
      /resumed; next run/,
    );

    const triggered = await cli('schedules', 'trigger', 'nightly-report');
    expect(triggered.code).toBe(0);
    const id = /job (\d+) queued/.exec(triggered.stdout)?.[1];
    expect(id).toBeDefined();
    // The job's detail names its schedule.
    const detail = await cli('show', id ?? '');
    expect(detail.stdout).toMatch(/schedule\s+nightly-report, triggered by hand/);
    expect((await json('show', id ?? '')).schedule).toEqual({ name: 'nightly-report', tick: null });
    expect((await json('schedules', 'show', 'nightly-report')).recentJobs[0].id).toBe(id);
  });

  it('exits 1 for an unknown schedule and 2 for a bad action or name', async () => {
    const missing = await cli('schedules', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/schedule nope does not exist/);
    expect((await cli('schedules', 'explode', 'x')).code).toBe(2);
    expect((await cli('schedules', 'pause')).code).toBe(2);
    expect((await cli('schedules', 'pause', 'a/b')).code).toBe(2);
  });

  it('refuses to start with a bad schedule, naming the field with the API’s message', async () => {
    for (const [field, pattern] of [
      ['cron', /schedules\.2\.cron: is not a valid cron expression/],
      ['timezone', /schedules\.2\.timezone: "Mars\/Olympus" is not a known IANA timezone/],
      ['handler', /schedules\.2\.handler: handler "nobody" is not registered/],
      ['params', /schedules\.2\.params\.0: /],
    ] as const) {
      const result = await jobs(['worker', '--config', CONFIG], {
        env: env({ SCHEDULES_BAD: field }),
        timeoutMs: 30_000,
      });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(pattern);
    }
  });

  it('shows a schedule removed from the config as removed, keeping it and its jobs', async () => {
    expect(await server.stop()).toBe(0);
    server = await start({ SCHEDULES_SET: 'hourly' });
    const list = await json('schedules');
    const nightly = list.find((s: { name: string }) => s.name === 'nightly-report');
    expect(nightly).toMatchObject({ status: 'removed', source: 'config' });
    expect(nightly.lastJob).not.toBeNull();
    expect((await cli('schedules')).stdout).toMatch(/nightly-report\s+removed/);
    server = await (async () => {
      expect(await server.stop()).toBe(0);
      return start();
    })();
    expect((await json('schedules', 'show', 'nightly-report')).status).toBe('active');
  });
});
