import { describe, expect, it } from 'vitest';
import { compareJobIds } from './ids.js';
import { compareJobs, type OrderedJob } from './ordering.js';

const at = (iso: string) => new Date(iso);

describe('compareJobs', () => {
  it('runs higher priority first', () => {
    const low: OrderedJob = { id: '1', priority: 0, runAt: at('2024-01-01T00:00:00Z') };
    const high: OrderedJob = { id: '2', priority: 5, runAt: at('2024-06-01T00:00:00Z') };
    expect([low, high].sort(compareJobs)).toEqual([high, low]);
  });

  it('runs the earlier runAt first within one priority', () => {
    const later: OrderedJob = { id: '1', priority: 1, runAt: at('2024-01-02T00:00:00Z') };
    const sooner: OrderedJob = { id: '2', priority: 1, runAt: at('2024-01-01T00:00:00Z') };
    expect([later, sooner].sort(compareJobs)).toEqual([sooner, later]);
  });

  it('runs the lower id first when priority and runAt tie (FIFO)', () => {
    const runAt = at('2024-01-01T00:00:00Z');
    const jobs: OrderedJob[] = [
      { id: '10', priority: 0, runAt },
      { id: '9', priority: 0, runAt },
      { id: '100', priority: 0, runAt },
    ];
    expect(jobs.sort(compareJobs).map((job) => job.id)).toEqual(['9', '10', '100']);
  });

  it('handles negative priorities', () => {
    const runAt = at('2024-01-01T00:00:00Z');
    const a: OrderedJob = { id: '1', priority: -5, runAt };
    const b: OrderedJob = { id: '2', priority: -1, runAt };
    expect(compareJobs(a, b)).toBe(1);
    expect(compareJobs(b, a)).toBe(-1);
  });
});

describe('compareJobIds', () => {
  it('compares ids numerically beyond the safe integer range', () => {
    // Both are the same JavaScript number; only a string comparison tells them apart.
    expect(Number('9007199254740993')).toBe(Number('9007199254740992'));
    expect(compareJobIds('9007199254740992', '9007199254740993')).toBe(-1);
    expect(compareJobIds('9223372036854775807', '999')).toBe(1);
    expect(compareJobIds('42', '42')).toBe(0);
  });
});
