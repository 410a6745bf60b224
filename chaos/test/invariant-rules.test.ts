import { describe, expect, it } from 'vitest';
import type { Execution } from '../src/executions.js';
import { type JobFacts, judgeExecutions } from '../src/invariant-rules.js';

const done = (id: string, attempt = 1, failed: JobFacts['failed'] = []): JobFacts => ({
  id,
  state: 'completed',
  attempt,
  failed,
  completions: 1,
});
const ran = (jobId: string, attempt: number, pid: number, at: number): Execution => ({
  jobId,
  attempt,
  pid,
  at,
});

describe('judgeExecutions', () => {
  it('accepts one execution and one completion per job', () => {
    const report = judgeExecutions(
      [done('1'), done('2')],
      [ran('1', 1, 10, 1), ran('2', 1, 10, 2)],
    );
    expect(report).toMatchObject({ jobs: 2, executions: 2, completions: 2, violations: [] });
  });

  it('explains a repeat by a killed process, a rescue or a failed attempt, and nothing else', () => {
    const jobs = [
      done('1', 2, [{ attempt: 1, lost: true }]),
      done('2', 2, [{ attempt: 1, lost: true }]),
      done('3', 2, [{ attempt: 1, lost: false }]),
      done('4', 1),
    ];
    const executions = [
      ran('1', 1, 66, 1),
      ran('1', 2, 10, 2),
      ran('2', 1, 10, 1),
      ran('2', 2, 11, 2),
      ran('3', 1, 10, 1),
      ran('3', 2, 10, 2),
      ran('4', 1, 10, 1),
      ran('4', 1, 10, 2),
    ];
    const report = judgeExecutions(jobs, executions, { interrupted: new Set([66]) });
    expect(report.extra).toEqual({ interrupted: 1, rescued: 1, retried: 1 });
    expect(report.violations).toEqual([
      'job 4 (completed, attempt 1) executed 2x: attempt 1 in process 10 ran again with no crash, cut or failure to explain it',
    ]);
  });

  it('lets one failed attempt explain one repeat only', () => {
    const job = { ...done('1', 2, [{ attempt: 1, lost: false }]) };
    const report = judgeExecutions(
      [job],
      [ran('1', 1, 10, 1), ran('1', 1, 10, 2), ran('1', 2, 10, 3)],
    );
    expect(report.extra.retried).toBe(1);
    expect(report.violations).toHaveLength(1);
  });

  it('reports completions without executions, double completions and forbidden runs', () => {
    const report = judgeExecutions(
      [
        done('1'),
        { ...done('2'), completions: 2 },
        { id: '3', state: 'failed', attempt: 1, failed: [], completions: 0 },
        { id: '4', state: 'cancelled', attempt: 0, failed: [], completions: 0 },
        done('5', 2),
      ],
      [ran('2', 1, 10, 1), ran('3', 1, 10, 1), ran('5', 1, 10, 1), ran('9', 1, 10, 1)],
      { mustNotRun: new Set(['3']) },
    );
    expect(report.violations).toEqual([
      'job 1 (completed, attempt 1) never executed',
      'job 2 (completed, attempt 1) completed 2 times',
      'job 3 (failed, attempt 1) must never run but executed 1x',
      'job 5 (completed, attempt 2) completed by an attempt that never executed',
      'job 9 executed 1x but is not in the table',
    ]);
  });
});
