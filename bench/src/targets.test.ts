import { describe, expect, it } from 'vitest';
import type { CaseRecord } from './report.js';
import {
  evaluateTargets,
  formatTarget,
  formatVerdict,
  groups,
  netGroup,
  overallVerdicts,
  type TargetLine,
} from './targets.js';
import { testRecord } from './test-record.js';

/** A made-up record of a case, with its outcome. */
function rec(
  group: string,
  contender: CaseRecord['contender'],
  settings: CaseRecord['settings'],
  outcome: Record<string, unknown>,
  problems: string[] = [],
): CaseRecord {
  return testRecord({
    group,
    label: group,
    contender,
    settings,
    outcome: { ...outcome, problems },
  });
}

const drain = (c: number, who: CaseRecord['contender'], s: 'default' | 'fast', rate: number) =>
  rec(groups.drain(c), who, s, { jobsPerSecond: rate, peakRssMiB: 100 });

const line = (lines: TargetLine[], id: string) => {
  const found = lines.find((l) => l.id === id);
  if (found === undefined) throw new Error(`no target ${id}`);
  return found;
};

describe('target verdicts', () => {
  it('compares our best settings with graphile-worker best, and needs 1.2x to meet the drain target', () => {
    const lines = evaluateTargets([
      drain(16, 'ours', 'default', 9_000),
      drain(16, 'ours', 'fast', 12_000),
      drain(16, 'graphile-worker', 'default', 2_000),
      drain(16, 'graphile-worker', 'fast', 10_000),
      drain(16, 'pg-boss', 'fast', 20_000),
      drain(64, 'ours', 'fast', 11_900),
      drain(64, 'graphile-worker', 'fast', 10_000),
    ]);
    expect(line(lines, 'drain-c16')).toMatchObject({ verdict: 'met', ratio: 1.2 });
    expect(line(lines, 'drain-c16').detail).toBe(
      'ours fast 12,000 jobs/s, graphile-worker fast 10,000 jobs/s',
    );
    expect(line(lines, 'drain-c64')).toMatchObject({ verdict: 'not met', ratio: 1.19 });
  });

  it('leaves a target not measured when its cases did not run', () => {
    const lines = evaluateTargets([drain(16, 'ours', 'fast', 12_000)]);
    expect(line(lines, 'drain-c16')).toMatchObject({ verdict: 'not measured', ratio: null });
    expect(line(lines, 'drain-c64').verdict).toBe('not measured');
    expect(line(lines, 'latency-p50').verdict).toBe('not measured');
  });

  it('misses the target when a run of ours lost or repeated jobs, however fast', () => {
    const lines = evaluateTargets([
      rec(groups.drain(16), 'ours', 'fast', { jobsPerSecond: 50_000 }, ['3 jobs ran twice']),
      drain(16, 'ours', 'default', 13_000),
      drain(16, 'graphile-worker', 'fast', 10_000),
    ]);
    expect(line(lines, 'drain-c16')).toMatchObject({
      verdict: 'not met',
      ratio: null,
      detail: 'ours failed its checks (fast: 3 jobs ran twice)',
    });
  });

  it("leaves the target not measured when one of graphile-worker's settings failed", () => {
    const lines = evaluateTargets([
      drain(16, 'ours', 'fast', 13_000),
      drain(16, 'graphile-worker', 'default', 1_500),
      rec(groups.drain(16), 'graphile-worker', 'fast', {}, [
        'failed: exited (1) before "ready"\n  at a stack line',
      ]),
    ]);
    expect(line(lines, 'drain-c16')).toMatchObject({
      verdict: 'not measured',
      detail: 'graphile-worker failed its checks (fast: failed: exited (1) before "ready")',
    });
  });

  it("leaves out a peer's failed setting whose own figure shows it was the slower", () => {
    const partial = rec(groups.drain(64), 'graphile-worker', 'default', { jobsPerSecond: 333 }, [
      'time limit: 47 not run, 100 pending',
    ]);
    const lines = evaluateTargets([
      drain(64, 'ours', 'fast', 13_000),
      drain(64, 'graphile-worker', 'fast', 10_000),
      partial,
    ]);
    expect(line(lines, 'drain-c64')).toMatchObject({ verdict: 'met', ratio: 1.3 });
    expect(line(lines, 'drain-c64').detail).toContain('left out, slower and failed its checks');
    const faster = evaluateTargets([
      drain(64, 'ours', 'fast', 13_000),
      drain(64, 'graphile-worker', 'fast', 10_000),
      { ...partial, outcome: { ...partial.outcome, jobsPerSecond: 11_000 } },
    ]);
    expect(line(faster, 'drain-c64').verdict).toBe('not measured');
  });

  it('reads the drain at 5 ms from its own group, against graphile-worker at 5 ms', () => {
    const at5 = groups.drain(16, 5);
    expect(at5).toBe(netGroup('drain c16', 5));
    const lines = evaluateTargets([
      drain(16, 'ours', 'fast', 1_000),
      drain(16, 'graphile-worker', 'fast', 10_000),
      rec(at5, 'ours', 'fast', { jobsPerSecond: 8_000 }),
      rec(at5, 'graphile-worker', 'fast', { jobsPerSecond: 3_900 }),
    ]);
    expect(line(lines, 'drain-c16-net5')).toMatchObject({ verdict: 'met', ratio: 2.05 });
    expect(line(lines, 'drain-c16').verdict).toBe('not met');
  });

  it('meets the enqueue targets at 1.0x, each shape on its own', () => {
    const lines = evaluateTargets([
      rec(groups.enqueue(null), 'ours', 'default', { jobsPerSecond: 30_000 }),
      rec(groups.enqueue(null), 'graphile-worker', 'default', { jobsPerSecond: 30_000 }),
      rec(groups.enqueue(1000), 'ours', 'default', { jobsPerSecond: 20_000 }),
      rec(groups.enqueue(1000), 'graphile-worker', 'default', { jobsPerSecond: 25_000 }),
    ]);
    expect(line(lines, 'enqueue-one-call')).toMatchObject({ verdict: 'met', ratio: 1 });
    expect(line(lines, 'enqueue-calls-1000')).toMatchObject({ verdict: 'not met', ratio: 0.8 });
  });

  it('wants latency at or under graphile-worker, p50 and p99 apart', () => {
    const lines = evaluateTargets([
      rec(groups.latency(), 'ours', 'default', { p50: 2.4, p99: 9 }),
      rec(groups.latency(), 'ours', 'fast', { p50: 2.6, p99: 8 }),
      rec(groups.latency(), 'graphile-worker', 'default', { p50: 2.5, p99: 7.5 }),
      rec(groups.latency(), 'graphile-worker', 'fast', { p50: 2.8, p99: 9 }),
    ]);
    expect(line(lines, 'latency-p50')).toMatchObject({ verdict: 'met', ratio: 0.96 });
    expect(line(lines, 'latency-p99')).toMatchObject({ verdict: 'not met', ratio: 1.07 });
  });

  it('holds the worker under 150 MB (10^6 bytes), its highest peak over every drain', () => {
    const under = evaluateTargets([
      rec(groups.drain(16), 'ours', 'fast', { jobsPerSecond: 1, peakRssMiB: 143 }),
      rec(groups.drain(64), 'graphile-worker', 'fast', { jobsPerSecond: 1, peakRssMiB: 300 }),
    ]);
    expect(line(under, 'worker-rss')).toMatchObject({ verdict: 'met', ratio: 150 });
    const over = evaluateTargets([
      rec(groups.drain(16), 'ours', 'fast', { jobsPerSecond: 1, peakRssMiB: 120 }),
      rec(groups.drain(64), 'ours', 'fast', { jobsPerSecond: 1, peakRssMiB: 144 }),
    ]);
    expect(line(over, 'worker-rss')).toMatchObject({ verdict: 'not met', ratio: 151 });
  });

  it('prints each verdict with its ratio', () => {
    const [first] = evaluateTargets([
      drain(16, 'ours', 'fast', 13_000),
      drain(16, 'graphile-worker', 'fast', 10_000),
    ]);
    expect(formatTarget(first as TargetLine)).toBe(
      'target drain c16 >= 1.2x graphile-worker: met (1.3x; ours fast 13,000 jobs/s, graphile-worker fast 10,000 jobs/s)',
    );
  });
});

describe('verdicts over several runs', () => {
  const run = (c16: number) =>
    evaluateTargets([drain(16, 'ours', 'fast', c16), drain(16, 'graphile-worker', 'fast', 10_000)]);

  it('is met only when met in every run', () => {
    const met = overallVerdicts([run(13_000), run(12_500), run(14_000)]);
    expect(met.find((v) => v.id === 'drain-c16')).toMatchObject({
      verdict: 'met',
      met: 3,
      runs: 3,
      ratios: [1.3, 1.25, 1.4],
    });
    const missed = overallVerdicts([run(13_000), run(11_000), run(14_000)]);
    const v = missed.find((x) => x.id === 'drain-c16');
    expect(v).toMatchObject({ verdict: 'not met', met: 2, runs: 3 });
    expect(formatVerdict(v as NonNullable<typeof v>)).toBe(
      'verdict drain c16 >= 1.2x graphile-worker: NOT MET, met in 2 of 3 run(s) (1.3x, 1.1x, 1.4x)',
    );
    expect(missed.find((x) => x.id === 'drain-c64')?.verdict).toBe('not measured');
  });
});
