import { describe, expect, it } from 'vitest';
import { hostSpeed, SLOW_HOST_SPEED } from './machine.js';
import { type CaseRecord, renderTable } from './report.js';
import { buildSummary, formatSummary } from './summary.js';
import { evaluateTargets, groups, overallVerdicts } from './targets.js';
import { testRecord } from './test-record.js';

function rec(run: number, contender: CaseRecord['contender'], rate: number): CaseRecord {
  return testRecord({
    group: groups.drain(16),
    contender,
    outcome: { jobsPerSecond: rate, peakRssMiB: 100, problems: [], plans: ['a long plan'] },
    load: {
      ...testRecord({ outcome: { problems: [] } }).load,
      loadavgEnd: 1.5,
      externalCores: 0.1,
    },
    cpu: { watched: { worker: 1 }, postgres: 1 },
    run,
  });
}

describe('run summary', () => {
  it('keeps figures, ratios and verdicts, one line per case, and reads back as the same JSON', () => {
    const records = [1, 2].flatMap((run) => [
      rec(run, 'ours', 13_000),
      rec(run, 'graphile-worker', 10_000),
    ]);
    const targets = [1, 2].map((run) => evaluateTargets(records.filter((r) => r.run === run)));
    const summary = buildSummary({
      startedAt: new Date('2026-12-05T12:00:00Z'),
      finishedAt: new Date('2026-12-05T12:10:00Z'),
      database: 'test',
      machine: { cores: 2 },
      options: { repeat: 2 },
      settings: {},
      network: 'direct',
      results: 'bench/results/x.json',
      delays: [],
      records,
      targets,
      verdicts: overallVerdicts(targets),
    });
    const text = formatSummary(summary);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(summary.cases[0]).toEqual({
      run: 1,
      group: 'drain c16',
      contender: 'ours',
      settings: 'fast',
      result: '13,000 jobs/s',
      ratio: '1.30x graphile-worker fast',
      peakRssMiB: 100,
      check: 'ok',
      outsideCores: 0.1,
    });
    expect(summary.verdicts.find((v) => v.id === 'drain-c16')).toMatchObject({
      verdict: 'met',
      met: 2,
    });
    expect(text).not.toContain('a long plan');
    expect(text.split('\n').filter((l) => l.includes('"group":"drain c16"'))).toHaveLength(4);
  });

  it('carries the host speed of each case, counts the slow ones, and marks them in the table', () => {
    const records = [
      { ...rec(1, 'ours', 13_000), hostSpeed: 0.98 },
      { ...rec(1, 'graphile-worker', 10_000), hostSpeed: 0.6 },
    ];
    const summary = buildSummary({
      startedAt: new Date('2026-12-05T12:00:00Z'),
      finishedAt: new Date('2026-12-05T12:10:00Z'),
      database: 'test',
      machine: { cores: 2 },
      options: {},
      settings: {},
      network: 'direct',
      results: 'bench/results/x.json',
      delays: [],
      records,
      targets: [],
      verdicts: [],
    });
    expect(summary.cases.map((c) => c.hostSpeed)).toEqual([0.98, 0.6]);
    expect(summary.load.slowHostCases).toBe(1);
    const { rows } = renderTable(records);
    expect(rows.map((row) => row.load)).toEqual([
      expect.stringContaining('host 0.98x'),
      expect.stringContaining('host 0.60x SLOW'),
    ]);
    expect(rows[0]?.load).not.toContain('SLOW');
  });
});

describe('host speed', () => {
  it('is the probe time at the start over the slower of the probes around the case', () => {
    expect(hostSpeed(10, 10, 10)).toBe(1);
    expect(hostSpeed(10, 12.5, 10)).toBe(0.8);
    expect(hostSpeed(10, 10, 16)).toBe(0.63);
    expect(hostSpeed(10, 0, 0)).toBeNaN();
    expect(hostSpeed(10, 16, 10)).toBeLessThan(SLOW_HOST_SPEED);
  });
});
