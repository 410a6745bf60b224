import { describe, expect, it } from 'vitest';
import { Exposition } from './exposition.js';

describe('Exposition', () => {
  it('writes families, escaped labels and cumulative histograms', () => {
    const out = new Exposition()
      .family('jobs_in_state', 'gauge', 'Jobs.')
      .sample('jobs_in_state', { queue: 'a"b\\c\nd', state: 'queued' }, 3)
      .family('jobs_duration_seconds', 'histogram', 'Run time.')
      .histogram('jobs_duration_seconds', { queue: 'q' }, [0.5, 1], [1, 2], 1.25, 3)
      .toString();
    expect(out).toBe(
      [
        '# HELP jobs_in_state Jobs.',
        '# TYPE jobs_in_state gauge',
        'jobs_in_state{queue="a\\"b\\\\c\\nd",state="queued"} 3',
        '# HELP jobs_duration_seconds Run time.',
        '# TYPE jobs_duration_seconds histogram',
        'jobs_duration_seconds_bucket{queue="q",le="0.5"} 1',
        'jobs_duration_seconds_bucket{queue="q",le="1"} 2',
        'jobs_duration_seconds_bucket{queue="q",le="+Inf"} 3',
        'jobs_duration_seconds_sum{queue="q"} 1.25',
        'jobs_duration_seconds_count{queue="q"} 3',
        '',
      ].join('\n'),
    );
  });
});
