import type { FinishedGroup } from '@jobs/core';
import { describe, expect, it } from 'vitest';
import { FinishedTotals } from './finished-totals.js';

function group(queue: string, state: 'completed' | 'failed', count: number): FinishedGroup {
  return {
    queue,
    state,
    count,
    durationSum: count * 0.5,
    durationBuckets: [0, count],
    waitSum: count,
    waitBuckets: [count, count],
  };
}

describe('FinishedTotals', () => {
  it('adds the groups of successive summaries by queue and state', () => {
    const totals = new FinishedTotals();
    totals.add([group('b', 'completed', 2), group('a', 'failed', 1)]);
    totals.add([group('b', 'completed', 3)]);
    expect(totals.get('b', 'completed')).toEqual({
      queue: 'b',
      state: 'completed',
      count: 5,
      durationSum: 2.5,
      durationBuckets: [0, 5],
      waitSum: 5,
      waitBuckets: [5, 5],
    });
    expect(totals.get('b', 'failed')).toBeUndefined();
    expect(totals.list().map((g) => `${g.queue}/${g.state}/${g.count}`)).toEqual([
      'a/failed/1',
      'b/completed/5',
    ]);
  });
});
