import type { JobState } from '@jobs/core';
import { readExecutions } from './executions.js';
import type { ScenarioDb } from './fixture.js';
import {
  type InvariantOptions,
  type InvariantReport,
  type JobFacts,
  judgeExecutions,
} from './invariant-rules.js';
import { figure } from './scale.js';

/** Thrown by `assertExecutions` when a job broke the invariant; lists the first violations. */
export class ExecutionInvariantError extends Error {
  override readonly name = 'ExecutionInvariantError';
  constructor(
    readonly scenario: string,
    readonly report: InvariantReport,
  ) {
    const shown = report.violations.slice(0, 20);
    const more = report.violations.length - shown.length;
    super(
      `[chaos:${scenario}] ${report.violations.length} violations of the execution invariant:\n  ${shown.join('\n  ')}${more > 0 ? `\n  ... and ${more} more` : ''}`,
    );
  }
}

/**
 * Reads every job of the scenario's table, its completion records and every execution the
 * handlers wrote down, and checks the invariant (see invariant-rules.ts). Reports; never throws
 * for a violation.
 */
export async function checkExecutions(
  db: ScenarioDb,
  options: InvariantOptions = {},
): Promise<InvariantReport> {
  const rows = await db.store.connection.sql<
    {
      id: string;
      state: JobState;
      attempt: number;
      failed: { attempt: number; lost: boolean }[];
      completions: number;
    }[]
  >`
    SELECT j.id::text AS id, j.state, j.attempt,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                               'attempt', (e->>'attempt')::int,
                               'lost', e->>'name' = 'WorkerLostError'))
                       FROM jsonb_array_elements(
                              CASE WHEN jsonb_typeof(j.errors) = 'array' THEN j.errors
                                   ELSE '[]'::jsonb END) e
                      WHERE jsonb_typeof(e) = 'object' AND e ? 'attempt'), '[]'::jsonb) AS failed,
           coalesce(c.n, 0)::int AS completions
      FROM jobs j
      LEFT JOIN (SELECT job_id, count(*) AS n FROM completions GROUP BY job_id) c
        ON c.job_id = j.id`;
  const jobs: JobFacts[] = rows.map((r) => ({ ...r, attempt: Number(r.attempt) }));
  return judgeExecutions(jobs, readExecutions(db.executionsDir), options);
}

/**
 * The one check every scenario ends with: prints its summary line (jobs, executions, extra
 * executions and what explains them, completions) and throws ExecutionInvariantError when any
 * job broke the invariant.
 */
export async function assertExecutions(
  db: ScenarioDb,
  scenario: string,
  options: InvariantOptions = {},
): Promise<InvariantReport> {
  const report = await checkExecutions(db, options);
  figure(scenario, summarize(report));
  if (report.violations.length > 0) throw new ExecutionInvariantError(scenario, report);
  return report;
}

/** One line of figures for the README: jobs, executions, extra ones explained, completions. */
export function summarize(report: InvariantReport): string {
  const { interrupted, rescued, retried } = report.extra;
  const extra = interrupted + rescued + retried;
  return `invariant: ${report.jobs} jobs, ${report.executions} executions (${extra} beyond one: ${interrupted} on a killed or stopped worker, ${rescued} rescued after a cut, ${retried} retried after a failure), ${report.completions} completions; ${report.violations.length === 0 ? 'holds' : `${report.violations.length} violations`}`;
}
