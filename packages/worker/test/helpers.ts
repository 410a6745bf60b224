import type { JobStore, NewJob } from '@jobs/core';
import { newJob } from '@jobs/core/testing';
import { createPgStore, type PgJobStore } from '@jobs/storage';
import { createTestSchema, type TestSchema } from '@jobs/storage/testing';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { silentLogger } from '../src/logger.js';
import type { Worker, WorkerOptions } from '../src/types.js';
import { createWorker } from '../src/worker.js';

export { newJob };

/** Settings that keep tests fast: short polls and flushes, no log files, no stdout. */
export const FAST: Omit<WorkerOptions, 'store' | 'handlers'> = {
  pollIntervalMs: 50,
  flushIntervalMs: 5,
  progressIntervalMs: 20,
  leaseMs: 5_000,
  rescueIntervalMs: 0,
  pruneIntervalMs: 0,
  killGraceMs: 300,
  graceMs: 2_000,
  stopFlushTimeoutMs: 2_000,
  storeBackoff: { baseMs: 10, maxMs: 100 },
  jobLogPath: null,
  errorLogPath: null,
  logger: silentLogger,
};

const started: Worker[] = [];

/**
 * Creates a worker with FAST settings (overridable) and remembers it; `trackWorkers()` fails a
 * test that leaves one running.
 */
export function testWorker(options: WorkerOptions): Worker {
  const worker = createWorker({ ...FAST, ...options });
  started.push(worker);
  return worker;
}

/** Fails (and cleans up after) any test that leaves a worker running. */
export function trackWorkers(): void {
  afterEach(async () => {
    const leaked = started.splice(0).filter((w) => w.state !== 'stopped' && w.state !== 'idle');
    await Promise.all(leaked.map((w) => w.stop({ graceMs: 0 })));
    expect(
      leaked.map((w) => w.id),
      'workers left running by the test',
    ).toEqual([]);
  });
}

/** Polls `check` every 10 ms until it holds; throws after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== false && value !== null && value !== undefined) {
      return value as Exclude<T, false | null | undefined>;
    }
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A PostgreSQL schema of its own for a test file, emptied before each test. */
export interface PgFixture {
  /** The worker's store. */
  readonly store: PgJobStore;
  /** A second pool on the same schema: "another process" as far as the database can tell. */
  readonly other: PgJobStore;
  readonly schema: TestSchema;
  insert(...jobs: Partial<NewJob>[]): Promise<string[]>;
}

/** Creates the file's schema and two stores on it; closes and drops them after the file. */
export function usePg(prefix: string): PgFixture {
  let schema: TestSchema | undefined;
  let store: PgJobStore | undefined;
  let other: PgJobStore | undefined;
  beforeAll(async () => {
    schema = await createTestSchema(`worker_${prefix}`);
    store = createPgStore({ url: schema.url, schema: schema.schema, max: 4 });
    other = createPgStore({ url: schema.url, schema: schema.schema, max: 2 });
  });
  beforeEach(async () => {
    await schema?.truncate();
  });
  afterAll(async () => {
    await Promise.all([store?.close(), other?.close()]);
    await schema?.drop();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('usePg: used outside a test');
    return value;
  };
  return {
    get store() {
      return need(store);
    },
    get other() {
      return need(other);
    },
    get schema() {
      return need(schema);
    },
    async insert(...jobs) {
      const inserted = await need(other).jobInsert({ jobs: jobs.map((j) => newJob(j)) });
      return inserted.map((j) => j.id);
    },
  };
}

/** Reads one job through `store`, failing when it is gone. */
export async function getJob(store: JobStore, id: string) {
  const job = await store.jobGet({ id });
  if (job === null) throw new Error(`job ${id} not found`);
  return job;
}
