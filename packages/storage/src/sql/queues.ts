import type { QueueInfo } from '@jobs/core';
import { asc, sql } from 'drizzle-orm';
import type { Connection } from '../connection.js';
import { jobQueues } from '../schema.js';

/** Every queue ever named by a job or paused, by name. */
export async function listQueues(c: Connection): Promise<QueueInfo[]> {
  return c.db
    .select({ name: jobQueues.name, paused: jobQueues.paused })
    .from(jobQueues)
    .orderBy(asc(jobQueues.name));
}

/** Sets a queue's paused flag, creating the queue when it is new. */
export async function setQueuePaused(
  c: Connection,
  name: string,
  paused: boolean,
): Promise<QueueInfo> {
  const [row] = await c.db
    .insert(jobQueues)
    .values({ name, paused })
    .onConflictDoUpdate({ target: jobQueues.name, set: { paused, updatedAt: sql`now()` } })
    .returning({ name: jobQueues.name, paused: jobQueues.paused });
  if (row === undefined) throw new Error(`queue ${name} was not written`);
  if (!paused) await c.sql`SELECT pg_notify(${c.channel}, '{"type":"inserted"}')`;
  return row;
}
