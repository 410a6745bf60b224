import type { DependencyResult, Job, JobFlow, NewFlow } from '@jobs/core';
import { callerRunner, type RunStatement } from '../caller-transaction.js';
import type { Connection, Executor } from '../connection.js';
import { getFlow, insertFlowOn, listDependencies } from './flow.js';

/** Runs statements prepared on a postgres-js executor (the pool or one of its transactions). */
function runOn(sql: Executor): RunStatement {
  return async <T>(text: string, params: readonly string[]) =>
    (await sql.unsafe(text, [...params], { prepare: true })) as unknown as T[];
}

/** Inserts a flow in a transaction of the store's pool. */
export function flowInsert(c: Connection, flow: NewFlow): Promise<Job[]> {
  return c.sql.begin((tx) => insertFlowOn(runOn(tx), '', flow)) as Promise<Job[]>;
}

/** Inserts a flow on a caller's open transaction, table names qualified by the store's schema. */
export function flowInsertOnCaller(c: Connection, tx: unknown, flow: NewFlow): Promise<Job[]> {
  return insertFlowOn(callerRunner(tx), `"${c.schema}".`, flow);
}

/** The graph around job `id`. */
export function flowGet(c: Connection, id: string, limit: number): Promise<JobFlow | null> {
  return getFlow(runOn(c.sql), id, limit);
}

/** Job `id`'s dependencies with their results. */
export function flowDependencyList(c: Connection, id: string): Promise<DependencyResult[]> {
  return listDependencies(runOn(c.sql), id);
}
