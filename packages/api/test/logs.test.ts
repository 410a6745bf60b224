import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

let dir: string;
let api: TestApi;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jobs-api-logs-'));
  await mkdir(join(dir, 'errors'));
  await writeFile(join(dir, 'jobs.log'), 'a\nb\nc\n');
  await writeFile(join(dir, 'errors', 'background_jobs_error.log'), 'failure 1\nstack\n');
  // The job log from an option, the error log from the environment naming a directory.
  api = await createTestApi('logs', {
    logFiles: { jobs: join(dir, 'jobs.log') },
    env: { BACKGROUND_JOB_ERROR_LOG_DIRECTORY: join(dir, 'errors') },
  });
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the log routes', () => {
  it('tail the job log and the error log with a line limit', async () => {
    expect(await (await api.call('GET', '/api/logs/jobs?lines=2')).json()).toEqual({
      file: 'jobs.log',
      lines: ['b', 'c'],
      truncated: true,
    });
    expect(await (await api.call('GET', '/api/logs/errors')).json()).toEqual({
      file: 'background_jobs_error.log',
      lines: ['failure 1', 'stack'],
      truncated: false,
    });
  });

  it('answer an empty list when the file does not exist yet', async () => {
    const other = await createTestApi('logs_missing', {
      logFiles: { jobs: join(dir, 'nothing', 'here.log') },
      env: {},
    });
    try {
      const body = await (await other.call('GET', '/api/logs/jobs')).json();
      expect(body).toEqual({ file: 'here.log', lines: [], truncated: false });
    } finally {
      await other.close();
    }
  });

  it('refuse a bad line limit', async () => {
    for (const q of ['lines=0', 'lines=5001', 'lines=two', 'n=3']) {
      const res = await api.call('GET', `/api/logs/jobs?${q}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe('validation_error');
    }
  });
});
