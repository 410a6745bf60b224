import type { JobState } from '@jobs/core';
import type { Execution } from './executions.js';

/**
 * The invariant every scenario checks, for every job in its table:
 * - it executed at least once (a handler wrote the execution down), unless it was cancelled or
 *   the scenario says it must never run, in which case it never executed;
 * - it was completed at most once (the completion audit), and a `completed` job exactly once,
 *   by an attempt that executed;
 * - every execution but the last is explained: its process was killed or stopped mid-job
 *   (interrupted), its attempt was rescued as "worker lost" (cut mid-job), or its attempt
 *   failed and the retry policy ran it again (retried). One failed attempt explains one run.
 */

/** What the database says about one job. */
export interface JobFacts {
  readonly id: string;
  readonly state: JobState;
  /** The job's attempt counter now. */
  readonly attempt: number;
  /** The attempts recorded as failed, and whether each was a rescue ("worker lost"). */
  readonly failed: readonly { readonly attempt: number; readonly lost: boolean }[];
  /** Transitions into `completed` the audit trigger recorded. */
  readonly completions: number;
}

/** What a scenario knows that explains an execution or forbids one. */
export interface InvariantOptions {
  /** Processes killed (or stopped) while they may have been running jobs. */
  readonly interrupted?: ReadonlySet<number>;
  /** Jobs that must never execute (names off the allow-list, for instance). */
  readonly mustNotRun?: ReadonlySet<string>;
}

/** The figures of one check and everything that broke the invariant. */
export interface InvariantReport {
  /** Jobs in the scenario's table. */
  readonly jobs: number;
  /** Executions the handlers wrote down. */
  readonly executions: number;
  /** Transitions into `completed` the audit recorded. */
  readonly completions: number;
  /** Executions beyond one per job, by what explains them. */
  readonly extra: {
    readonly interrupted: number;
    readonly rescued: number;
    readonly retried: number;
  };
  /** One sentence per broken rule, naming the job. */
  readonly violations: readonly string[];
}

/** Checks the invariant on facts already read; pure. */
export function judgeExecutions(
  jobs: readonly JobFacts[],
  executions: readonly Execution[],
  options: InvariantOptions = {},
): InvariantReport {
  const interrupted = options.interrupted ?? new Set<number>();
  const mustNotRun = options.mustNotRun ?? new Set<string>();
  const byJob = new Map<string, Execution[]>();
  for (const e of executions) {
    const list = byJob.get(e.jobId);
    if (list === undefined) byJob.set(e.jobId, [e]);
    else list.push(e);
  }
  const violations: string[] = [];
  const extra = { interrupted: 0, rescued: 0, retried: 0 };
  let completions = 0;
  const known = new Set<string>();
  for (const job of jobs) {
    known.add(job.id);
    completions += job.completions;
    const runs = (byJob.get(job.id) ?? []).sort((a, b) => a.at - b.at || a.attempt - b.attempt);
    const name = `job ${job.id} (${job.state}, attempt ${job.attempt})`;
    if (mustNotRun.has(job.id)) {
      if (runs.length > 0) violations.push(`${name} must never run but executed ${runs.length}x`);
      continue;
    }
    if (runs.length === 0 && job.state !== 'cancelled') violations.push(`${name} never executed`);
    if (job.completions > 1) violations.push(`${name} completed ${job.completions} times`);
    if (job.state === 'completed') {
      if (job.completions === 0) violations.push(`${name} is completed with no completion record`);
      if (runs.length > 0 && !runs.some((e) => e.attempt === job.attempt)) {
        violations.push(`${name} completed by an attempt that never executed`);
      }
    } else if (job.completions > 0) {
      violations.push(`${name} has a completion record but is not completed`);
    }
    const unused = [...job.failed];
    for (const run of runs.slice(0, -1)) {
      if (interrupted.has(run.pid)) {
        extra.interrupted += 1;
        continue;
      }
      const index = unused.findIndex((f) => f.attempt === run.attempt);
      const failure = unused[index];
      if (failure === undefined) {
        violations.push(
          `${name} executed ${runs.length}x: attempt ${run.attempt} in process ${run.pid} ran again with no crash, cut or failure to explain it`,
        );
        continue;
      }
      unused.splice(index, 1);
      if (failure.lost) extra.rescued += 1;
      else extra.retried += 1;
    }
  }
  for (const [id, runs] of byJob) {
    if (!known.has(id))
      violations.push(`job ${id} executed ${runs.length}x but is not in the table`);
  }
  return { jobs: jobs.length, executions: executions.length, completions, extra, violations };
}
