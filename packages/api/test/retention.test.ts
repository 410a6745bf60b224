import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RETENTION } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'api-retention-'));
const file = join(dir, 'background_jobs.log');
let api: TestApi;
let secured: TestApi;
const TOKEN = 'retention-token-0123456789abcdef0123456789';

beforeAll(async () => {
  api = await createTestApi('retention', {
    jobLog: { append: (text) => appendFileSync(file, text), name: 'api-test' },
  });
  secured = await createTestApi('retention_auth', { token: TOKEN });
});
beforeEach(async () => {
  await api.schema.truncate();
  await api.store.retentionSet({
    settings: {
      defaults: DEFAULT_RETENTION,
      queues: [{ name: 'audit', overrides: { completed: null, failed: 3_600_000 } }],
    },
  });
  rmSync(file, { force: true });
});
afterAll(async () => {
  await Promise.all([api.close(), secured.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Jobs of `queue` set to `state`, finished `hoursAgo` hours ago (unfinished states too). */
async function plant(queue: string, state: string, hoursAgo: number, n = 1): Promise<string[]> {
  const jobs = await api.store.jobInsert({
    jobs: Array.from({ length: n }, () => newJob({ queue })),
  });
  const ids = jobs.map((j) => j.id);
  await api.store.connection.sql`UPDATE jobs SET state = ${state}, attempt = 1,
    finished_at = now() - ${hoursAgo} * interval '1 hour',
    lease_owner = CASE WHEN ${state} = 'running' THEN 'w' END
    WHERE id = ANY(${ids}::bigint[])`;
  return ids;
}

async function ids(): Promise<string[]> {
  const rows = await api.store.connection.sql<{ id: string }[]>`
    SELECT id::text AS id FROM jobs ORDER BY jobs.id`;
  return rows.map((r) => r.id);
}

describe('GET /api/retention', () => {
  it('shows the defaults, each queue overriding them with its effective policy, and the table size', async () => {
    const res = await api.call('GET', '/api/retention');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.defaults).toEqual({
      completed: 86_400_000,
      failed: 1_209_600_000,
      cancelled: 604_800_000,
    });
    expect(body.queues).toEqual([
      {
        name: 'audit',
        overrides: { completed: null, failed: 3_600_000 },
        effective: { completed: null, failed: 3_600_000, cancelled: 604_800_000 },
      },
    ]);
    expect(body.table.totalBytes).toBeGreaterThan(0);
    expect(body.table.deadShare).toBeGreaterThanOrEqual(0);
    expect(typeof body.table.autovacuum).toBe('boolean');
  });
});

describe('DELETE /api/jobs', () => {
  it('deletes the finished jobs asked for, never running or waiting ones, and answers the count', async () => {
    const oldDone = await plant('default', 'completed', 5, 3);
    const newDone = await plant('default', 'completed', 0.1);
    const running = await plant('default', 'running', 50);
    const queued = await plant('default', 'queued', 50);
    const failed = await plant('default', 'failed', 50);
    const before = new Date(Date.now() - 3_600_000).toISOString();
    const res = await api.call(
      'DELETE',
      `/api/jobs?state=completed&finishedBefore=${encodeURIComponent(before)}`,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      deleted: 3,
      dryRun: false,
      byQueue: [{ queue: 'default', state: 'completed', count: 3 }],
    });
    const left = await ids();
    for (const id of oldDone) expect(left).not.toContain(id);
    expect(left).toEqual([...newDone, ...running, ...queued, ...failed]);
    // One job-log line for the batch, none per job.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      / status=pruned count=3 queue="default" state=completed .* worker="api-test"$/,
    );
  });

  it("without an age, applies each queue's retention; dryRun counts and deletes nothing", async () => {
    await plant('default', 'completed', 30);
    const kept = await plant('audit', 'completed', 30);
    await plant('audit', 'failed', 2);
    const dry = await api.call('DELETE', '/api/jobs?dryRun=true');
    expect(await dry.json()).toMatchObject({ deleted: 2, dryRun: true });
    expect(await ids()).toHaveLength(3);
    const res = await api.call('DELETE', '/api/jobs');
    expect(await res.json()).toMatchObject({ deleted: 2, dryRun: false });
    expect(await ids()).toEqual(kept);
  });

  it('olderThan takes a duration and queue limits it', async () => {
    await plant('a', 'cancelled', 2);
    const other = await plant('b', 'cancelled', 2);
    const res = await api.call('DELETE', '/api/jobs?olderThan=90m&queue=a&state=cancelled');
    expect(await res.json()).toMatchObject({ deleted: 1 });
    expect(await ids()).toEqual(other);
  });

  it.each([
    ['state=running', 'state'],
    ['state=queued,completed', 'state'],
    ['state=nope', 'state'],
    ['olderThan=soon', 'olderThan'],
    ['olderThan=-5m', 'olderThan'],
    ['finishedBefore=yesterday', 'finishedBefore'],
    ['queue=%00', 'queue'],
    ['queue=%ED%A0%80', 'queue'],
    [`queue=${'q'.repeat(100)}`, 'queue'],
    ['dryRun=yes', 'dryRun'],
    ['limit=5', 'limit'],
  ])('refuses %s with 400 naming %s, deleting nothing', async (query, field) => {
    await plant('default', 'completed', 100);
    const res = await api.call('DELETE', `/api/jobs?${query}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.field).toMatch(new RegExp(`^${field}(\\.\\d+)?$`));
    expect(await ids()).toHaveLength(1);
  });

  it('needs the token like every other route', async () => {
    expect((await secured.call('DELETE', '/api/jobs')).status).toBe(401);
    expect((await secured.call('GET', '/api/retention')).status).toBe(401);
    const ok = await secured.call('DELETE', '/api/jobs?dryRun=true', {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.status).toBe(200);
  });

  it('answers 405 with Allow on /api/retention', async () => {
    const res = await api.call('POST', '/api/retention');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    const jobs = await api.call('PUT', '/api/jobs');
    expect(jobs.headers.get('allow')).toBe('GET, POST, DELETE');
  });
});
