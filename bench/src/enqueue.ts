import { createClient } from '@jobs/core';
import type { PgJobStore } from '@jobs/storage';
import { handlers } from './handlers.js';

/** Inserts `count` queued no-op jobs through the client, `batch` per statement. */
export async function enqueueNoops(store: PgJobStore, count: number, batch = 5_000): Promise<void> {
  const client = createClient(store, handlers);
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    await client.enqueueMany(
      Array.from({ length: n }, () => ({ handler: 'bench', method: 'noop', params: [] }) as const),
    );
  }
}

/** How many jobs are completed and how many are anything else. */
export async function progress(store: PgJobStore): Promise<{ completed: number; other: number }> {
  const counts = await store.jobCount();
  const completed = counts.byState.completed;
  const all = Object.values(counts.byState).reduce((a, b) => a + b, 0);
  return { completed, other: all - completed };
}

/** Checks that every job completed exactly once (one attempt, no errors) and none is left. */
export async function verifyExactlyOnce(store: PgJobStore, expected: number): Promise<string[]> {
  const [row] = await store.connection.sql<
    { completed: number; other: number; retried: number }[]
  >`SELECT count(*) FILTER (WHERE state = 'completed')::int AS completed,
           count(*) FILTER (WHERE state <> 'completed')::int AS other,
           count(*) FILTER (WHERE attempt <> 1 OR errors <> '[]'::jsonb)::int AS retried
      FROM jobs`;
  const problems: string[] = [];
  if (row === undefined) return ['no answer'];
  if (row.completed !== expected) problems.push(`${row.completed} of ${expected} completed`);
  if (row.other !== 0) problems.push(`${row.other} left unfinished`);
  if (row.retried !== 0) problems.push(`${row.retried} ran more than once`);
  return problems;
}
