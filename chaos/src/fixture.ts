import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type JobState } from '@jobs/core';
import { createPgStore, migrate, type PgJobStore } from '@jobs/storage';
import { type AuditTotals, createTestSchema, installCompletionAudit } from '@jobs/storage/testing';
import { handlers } from './handlers.js';

/** A migrated schema of its own, a store on it and the completion audit. */
export interface ScenarioDb {
  /** The server the scenario's schema lives on. */
  readonly url: string;
  /** The schema's name. */
  readonly schema: string;
  readonly store: PgJobStore;
  /** Where the scenario's handlers write down their executions (see executions.ts). */
  readonly executionsDir: string;
  totals(): Promise<AuditTotals>;
  /** How many jobs are in each state. */
  states(): Promise<Record<JobState, number>>;
  /** Resolves once no job is in a runnable or running state (throws after `timeoutMs`). */
  drained(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates the scenario's schema with the completion audit installed: on TEST_DATABASE_URL (a
 * fresh schema, dropped at close), or on a server of the scenario's own (`url`, schema `jobs`);
 * and an empty executions directory, removed at close.
 */
export async function scenarioDb(name: string, url?: string): Promise<ScenarioDb> {
  let target: { url: string; schema: string; drop: () => Promise<void> };
  if (url === undefined) {
    const created = await createTestSchema(`chaos_${name}`);
    target = { url: created.url, schema: created.schema, drop: () => created.drop() };
  } else {
    await migrate({ url, schema: 'jobs' });
    target = { url, schema: 'jobs', drop: async () => {} };
  }
  const store = createPgStore({
    url: target.url,
    schema: target.schema,
    max: 4,
    applicationName: 'jobs-chaos',
  });
  const audit = await installCompletionAudit(store.connection.sql);
  const executionsDir = await mkdtemp(join(tmpdir(), `jobs-chaos-${name}-executions-`));
  const states = async (): Promise<Record<JobState, number>> => ({
    ...(await store.jobCount()).byState,
  });
  return {
    url: target.url,
    schema: target.schema,
    store,
    executionsDir,
    totals: () => audit.totals(),
    states,
    drained: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await states();
        const open = s.scheduled + s.queued + s.running + s.retrying;
        if (open === 0) return;
        if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    close: async () => {
      await store.close();
      await target.drop();
      await rm(executionsDir, { recursive: true, force: true });
    },
  };
}

/**
 * Enqueues `count` `work.run` jobs through the client, 1,000 per statement; job k sleeps
 * `minMs + (k % spreadMs)` milliseconds.
 */
export async function enqueueWork(
  db: ScenarioDb,
  count: number,
  minMs: number,
  spreadMs: number,
): Promise<void> {
  const client = createClient(db.store, handlers);
  for (let i = 0; i < count; i += 1_000) {
    await client.enqueueMany(
      Array.from({ length: Math.min(1_000, count - i) }, (_, k) => ({
        handler: 'work' as const,
        method: 'run' as const,
        params: [minMs + (k % spreadMs)] as [number],
      })),
    );
  }
}

/** Milliseconds since `start`. */
export function since(start: number): number {
  return Date.now() - start;
}

/** p50/p95/p99/max of some latencies. */
export function percentiles(samples: readonly number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? 0 };
}
