import type { CaseRecord } from './report.js';

/**
 * Terminology
 * - round (`--drain-rounds N`): one pass over every contender and setting of a drain group; N
 *   rounds run them in turns (a, b, c, a, b, c ...), so that the machine's drift over minutes
 *   weighs on every contender alike.
 *
 * The record of a case run `records.length` times in rounds: the round with the median rate
 * (of an even count, the lower of the two middle ones: no contender gains from the count), with
 * every round's rate in `outcome.rounds`, every round's problems (a case whose exactly-once
 * check failed in any round reports it), the highest peak RSS of any round (the memory target
 * is about the worst), and the attempts of all rounds in `runs`.
 */
export function medianRound(records: readonly CaseRecord[]): CaseRecord {
  const first = records[0];
  if (first === undefined) throw new Error('medianRound: no records');
  if (records.length === 1) return first;
  const rate = (r: CaseRecord) => {
    const value = r.outcome.jobsPerSecond;
    return typeof value === 'number' && Number.isFinite(value) ? value : Number.NEGATIVE_INFINITY;
  };
  const sorted = [...records].sort((a, b) => rate(a) - rate(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as CaseRecord;
  const problems = records.flatMap((r, i) =>
    r.outcome.problems.map((problem) => `round ${i + 1}: ${problem}`),
  );
  const peaks = records
    .map((r) => r.outcome.peakRssMiB)
    .filter((v): v is number => typeof v === 'number');
  return {
    ...median,
    outcome: {
      ...median.outcome,
      rounds: records.map((r) => r.outcome.jobsPerSecond ?? null),
      problems,
      ...(peaks.length > 0 ? { peakRssMiB: Math.max(...peaks) } : {}),
    },
    runs: records.reduce((sum, r) => sum + r.runs, 0),
  };
}
