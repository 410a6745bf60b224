import { describe, expect, it } from 'vitest';
import type { CaseRecord } from './report.js';
import { medianRound } from './rounds.js';
import { testRecord } from './test-record.js';

function rec(
  jobsPerSecond: number,
  problems: string[] = [],
  peakRssMiB = 100,
  runs = 1,
): CaseRecord {
  return testRecord({
    outcome: { jobsPerSecond, peakRssMiB, problems },
    load: { ...testRecord({ outcome: { problems: [] } }).load, loadavgStart: jobsPerSecond },
    runs,
  });
}

describe('medianRound', () => {
  it('keeps the round with the median rate, and every round rate in order', () => {
    const picked = medianRound([rec(300), rec(100), rec(200)]);
    expect(picked.outcome.jobsPerSecond).toBe(200);
    // The median round's own machine figures come with it.
    expect(picked.load.loadavgStart).toBe(200);
    expect(picked.outcome.rounds).toEqual([300, 100, 200]);
    expect(picked.runs).toBe(3);
  });

  it('keeps the highest peak RSS of any round', () => {
    const picked = medianRound([rec(100, [], 150), rec(200, [], 120), rec(300, [], 130)]);
    expect(picked.outcome.jobsPerSecond).toBe(200);
    expect(picked.outcome.peakRssMiB).toBe(150);
  });

  it('takes the lower middle round of an even count', () => {
    expect(medianRound([rec(400), rec(100), rec(300), rec(200)]).outcome.jobsPerSecond).toBe(200);
    expect(medianRound([rec(5), rec(7)]).outcome.jobsPerSecond).toBe(5);
  });

  it("reports every round's problems, whichever round is the median", () => {
    const picked = medianRound([rec(100), rec(200, ['2 jobs ran twice']), rec(300)]);
    expect(picked.outcome.jobsPerSecond).toBe(200);
    expect(medianRound([rec(100, ['lost 1 job']), rec(200), rec(300)]).outcome.problems).toEqual([
      'round 1: lost 1 job',
    ]);
    expect(picked.outcome.problems).toEqual(['round 2: 2 jobs ran twice']);
  });

  it('is the record itself for one round', () => {
    const one = rec(123);
    expect(medianRound([one])).toBe(one);
  });
});
