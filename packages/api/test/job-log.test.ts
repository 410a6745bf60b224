import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, runJobs, type TestApi } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'api-job-log-'));
const file = join(dir, 'background_jobs.log');
let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('joblog', {
    jobLog: { append: (text) => appendFileSync(file, text), name: 'api-test' },
  });
});
beforeEach(async () => {
  await api.schema.truncate();
  rmSync(file, { force: true });
});
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The job log's lines, parsed into their fields. */
function logLines(): Record<string, string>[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [at = '', ...fields] = line.split(' ');
      const entry: Record<string, string> = { at };
      for (const field of fields) {
        const eq = field.indexOf('=');
        const value = field.slice(eq + 1);
        entry[field.slice(0, eq)] = value.startsWith('"') ? JSON.parse(value) : value;
      }
      return entry;
    });
}

async function enqueue(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api.call('POST', '/api/jobs', {
      json: { handler: 'reports', method: 'build', params: [2000 + i] },
    });
    ids.push((await res.json()).id);
  }
  return ids;
}

describe('the job log gets a line for each change the API makes', () => {
  it('writes a cancel in the worker’s format', async () => {
    const [id] = await enqueue(1);
    expect((await api.call('POST', `/api/jobs/${id}/cancel`)).status).toBe(200);
    const lines = logLines();
    expect(lines).toEqual([
      {
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        id,
        handler: 'reports',
        method: 'build',
        status: 'cancelled',
        attempt: '0',
        duration_ms: '-',
        worker: 'api-test',
      },
    ]);
  });

  it('writes a retry as queued and a delete as deleted', async () => {
    const [id] = await enqueue(1);
    await runJobs(api.store, 0);
    expect((await api.call('POST', `/api/jobs/${id}/retry`)).status).toBe(200);
    await api.call('POST', `/api/jobs/${id}/cancel`);
    expect((await api.call('DELETE', `/api/jobs/${id}`)).status).toBe(200);
    expect(logLines().map((l) => `${l.id} ${l.status} ${l.attempt}`)).toEqual([
      `${id} queued 1`,
      `${id} cancelled 1`,
      `${id} deleted 1`,
    ]);
  });

  it('writes no line for a change refused', async () => {
    const [id] = await enqueue(1);
    await api.call('POST', `/api/jobs/${id}/cancel`);
    expect((await api.call('POST', `/api/jobs/${id}/cancel`)).status).toBe(409);
    expect(logLines()).toHaveLength(1);
  });

  it('writes a line per job of a bulk action, by ids and by filter', async () => {
    const ids = await enqueue(3);
    const byIds = await api.call('POST', '/api/jobs/actions', {
      json: { action: 'cancel', ids: [...ids, '999999'] },
    });
    expect((await byIds.json()).changed).toBe(3);
    expect(
      logLines()
        .map((l) => `${l.id} ${l.status}`)
        .sort(),
    ).toEqual(ids.map((id) => `${id} cancelled`).sort());
    const byFilter = await api.call('POST', '/api/jobs/actions', {
      json: { action: 'retry', filter: { state: ['cancelled'] } },
    });
    expect((await byFilter.json()).changed).toBe(3);
    expect(
      logLines()
        .filter((l) => l.status === 'queued')
        .map((l) => l.id)
        .sort(),
    ).toEqual([...ids].sort());
  });

  it('writes deleted lines only for the jobs a bulk delete removed', async () => {
    const ids = await enqueue(3);
    // One of them runs: a delete leaves it alone.
    const [running] = await api.store.jobClaim({
      workerId: 'w',
      queues: null,
      limit: 1,
      leaseMs: 60_000,
    });
    expect(running).toBeDefined();
    const res = await api.call('POST', '/api/jobs/actions', { json: { action: 'delete', ids } });
    expect((await res.json()).changed).toBe(2);
    const deleted = logLines()
      .filter((l) => l.status === 'deleted')
      .map((l) => l.id);
    expect(deleted.sort()).toEqual(ids.filter((id) => id !== running?.id).sort());
    const byFilter = await api.call('POST', '/api/jobs/actions', {
      json: { action: 'delete', filter: { state: ['running'] } },
    });
    expect((await byFilter.json()).changed).toBe(0);
    expect(logLines().filter((l) => l.status === 'deleted')).toHaveLength(2);
  });
});
