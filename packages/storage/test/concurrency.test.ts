import { newJob } from '@jobs/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgStore, type PgJobStore } from '../src/store.js';
import { createTestSchema, type TestSchema } from '../src/testing/index.js';

describe('claiming from many connections at once', () => {
  let schema: TestSchema;
  let stores: PgJobStore[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('concurrency');
  });

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await schema.drop();
  });

  it('8 clients claiming from 5,000 jobs get every job exactly once, never a future or paused one', async () => {
    stores = Array.from({ length: 8 }, () =>
      createPgStore({ url: schema.url, schema: schema.schema, max: 2 }),
    );
    const [first] = stores;
    if (first === undefined) throw new Error('no store');
    const due = Array.from({ length: 5_000 }, (_, i) => newJob({ params: [i], priority: i % 5 }));
    for (let i = 0; i < due.length; i += 1_000) {
      await first.jobInsert({ jobs: due.slice(i, i + 1_000) });
    }
    await first.jobInsert({
      jobs: Array.from({ length: 300 }, () => newJob({ runAt: { delayMs: 3_600_000 } })),
    });
    await first.queuePause({ name: 'paused', create: true });
    await first.jobInsert({ jobs: Array.from({ length: 300 }, () => newJob({ queue: 'paused' })) });

    const seen = new Map<string, number>();
    const wrong: string[] = [];
    await Promise.all(
      stores.map(async (store, n) => {
        const workerId = `w${n}`;
        for (;;) {
          const claimed = await store.jobClaim({
            workerId,
            queues: null,
            limit: 1 + (n % 4) * 10,
            leaseMs: 60_000,
          });
          if (claimed.length === 0) return;
          for (const job of claimed) {
            seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
            if (job.queue === 'paused' || job.runAt.getTime() > Date.now() + 1_000)
              wrong.push(job.id);
          }
          const done = await store.jobComplete({
            workerId,
            jobs: claimed.map((j) => ({ id: j.id, attempt: j.attempt, result: null })),
          });
          expect(done).toHaveLength(claimed.length);
        }
      }),
    );
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(5_000);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    const counts = await first.jobCount();
    expect(counts.byState.completed).toBe(5_000);
    expect(counts.byState.scheduled).toBe(300);
    expect(counts.byState.queued).toBe(300);
  });
});
