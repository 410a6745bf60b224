import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RETENTION, defineHandlers } from '@jobs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('the retention pruner of a worker', () => {
  const pg = usePg('prune');
  trackWorkers();
  let dir = '';

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jobs-worker-prune-'));
    await pg.store.retentionSet({
      settings: {
        defaults: DEFAULT_RETENTION,
        queues: [
          { name: 'keep', overrides: { completed: null } },
          { name: 'fast', overrides: { completed: 0 } },
        ],
      },
    });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function count(queue: string): Promise<number> {
    const [row] = await pg.store.connection.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM jobs WHERE queue = ${queue}`;
    return row?.n ?? 0;
  }

  it('deletes finished jobs past their retention in batches, one job-log line per batch', async () => {
    const old = await pg.insert(
      ...Array.from({ length: 25 }, () => ({ queue: 'default' })),
      ...Array.from({ length: 4 }, () => ({ queue: 'keep' })),
    );
    const recent = await pg.insert({ queue: 'default' });
    await pg.store.connection.sql`UPDATE jobs SET state = 'completed', attempt = 1,
      finished_at = now() - interval '2 days' WHERE id = ANY(${old}::bigint[])`;
    await pg.store.connection.sql`UPDATE jobs SET state = 'completed', attempt = 1,
      finished_at = now() WHERE id = ANY(${recent}::bigint[])`;
    const logPath = join(dir, 'jobs.log');
    const worker = testWorker({
      store: pg.store,
      handlers: defineHandlers({}),
      queues: ['none'],
      pruneIntervalMs: 50,
      pruneBatchSize: 10,
      jobLogPath: logPath,
    });
    const batches: number[] = [];
    worker.events.on('pruned', ({ batch }) => batches.push(batch.count));
    await worker.start();
    await waitFor(async () => (await count('default')) === 1, 10_000, 'the old jobs pruned');
    await worker.stop();
    expect(await count('keep')).toBe(4);
    expect(batches).toEqual([10, 10, 5]);
    const lines = (await readFile(logPath, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => /count=(\d+)/.exec(line)?.[1])).toEqual(['10', '10', '5']);
    for (const line of lines) {
      expect(line).toMatch(
        new RegExp(
          `^\\S+Z status=pruned count=\\d+ queue="default" state=completed finished_before=\\S+Z worker="${worker.id}"$`,
        ),
      );
    }
  });

  it('a job of a queue keeping completed jobs 0 ms is gone as soon as it completes', async () => {
    const ran: number[] = [];
    const [fast = '', kept = ''] = await pg.insert(
      { queue: 'fast', handler: 'work', method: 'run', params: [1] },
      { queue: 'keep', handler: 'work', method: 'run', params: [2] },
    );
    const worker = testWorker({
      store: pg.store,
      handlers: defineHandlers({ work: { run: (n: number) => ran.push(n) } }),
      jobLogPath: join(dir, 'jobs.log'),
    });
    const completed: string[] = [];
    worker.events.on('completed', ({ job }) => completed.push(job.id));
    await worker.start();
    await waitFor(() => completed.length === 2, 10_000, 'both completed');
    await worker.stop();
    expect(ran.sort()).toEqual([1, 2]);
    expect(await pg.store.jobGet({ id: fast })).toBeNull();
    expect(await pg.store.jobGet({ id: kept })).toMatchObject({ state: 'completed' });
    const log = await readFile(join(dir, 'jobs.log'), 'utf8');
    expect(log).toMatch(new RegExp(`id=${fast} .* status=completed`));
  });
});
