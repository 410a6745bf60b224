import { defineHandlers } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { getJob, testWorker, trackWorkers, usePg, waitFor } from './helpers.js';

describe('rescue of expired leases', () => {
  const pg = usePg('rescue');
  trackWorkers();

  it('takes back a job whose worker stopped renewing, counts the attempt as lost, and runs it', async () => {
    const [id = ''] = await pg.insert({
      handler: 'work',
      method: 'run',
      params: [],
      maxAttempts: 3,
      backoff: { kind: 'fixed', delayMs: 0 },
    });
    // Another "process" claims it with a short lease and dies.
    const [claimed] = await pg.other.jobClaim({
      workerId: 'dead-worker',
      queues: null,
      limit: 1,
      leaseMs: 50,
    });
    expect(claimed?.id).toBe(id);
    const rescued: string[] = [];
    const handlers = defineHandlers({ work: { run: () => 'ran after rescue' } });
    const worker = testWorker({ store: pg.store, handlers, rescueIntervalMs: 100 });
    worker.events.on('rescued', ({ job }) => rescued.push(`${job.id}:${job.state}`));
    await worker.start();
    const job = await waitFor(async () => {
      const j = await getJob(pg.other, id);
      return j.state === 'completed' ? j : null;
    }, 5_000);
    await worker.stop();
    expect(rescued).toEqual([`${id}:retrying`]);
    expect(job.attempt).toBe(2);
    expect(job.errors).toHaveLength(1);
    expect(job.errors[0]).toMatchObject({
      attempt: 1,
      name: 'WorkerLostError',
      workerId: 'dead-worker',
    });
    expect(job.result).toBe('ran after rescue');
  });
});
