import { describe, expect, it } from 'vitest';
import { rowToJob, toDate } from './rows.js';
import type { JobRow } from './schema.js';

function row(
  id: string,
  startedAt: string | null,
  runAt = '2026-01-02 03:04:05.678901+00',
): JobRow {
  return {
    id,
    queue: 'default',
    handler: 'h',
    method: 'm',
    params: [],
    priority: 0,
    state: 'running',
    attempt: 1,
    maxAttempts: 3,
    runAt,
    createdAt: runAt,
    startedAt,
    finishedAt: null,
    leaseOwner: 'w',
    leaseExpiresAt: startedAt,
    timeoutMs: null,
    progress: null,
    result: null,
    errors: [],
    logs: [],
    uniqueKey: null,
    tags: [],
    backoff: { kind: 'fixed', delayMs: 1 },
  } as unknown as JobRow;
}

describe('rowToJob timestamps', () => {
  it('gives every job its own Date, equal for equal text', () => {
    const a = rowToJob(row('1', '2026-01-02 03:04:06.5+00'));
    const b = rowToJob(row('2', '2026-01-02 03:04:06.5+00'));
    expect(a.startedAt?.toISOString()).toBe('2026-01-02T03:04:06.500Z');
    expect(b.startedAt).toEqual(a.startedAt);
    expect(b.startedAt).not.toBe(a.startedAt);
    a.startedAt?.setTime(0);
    expect(b.startedAt?.toISOString()).toBe('2026-01-02T03:04:06.500Z');
    expect(a.runAt.toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });

  it('reads each text anew when it changes, and null as null', () => {
    const times = ['2026-01-02 03:04:06+00', '2027-05-06 07:08:09.01+02', '2026-01-02 03:04:06+00'];
    expect(times.map((t, i) => rowToJob(row(String(i), t)).startedAt?.toISOString())).toEqual([
      '2026-01-02T03:04:06.000Z',
      '2027-05-06T05:08:09.010Z',
      '2026-01-02T03:04:06.000Z',
    ]);
    expect(rowToJob(row('4', null)).startedAt).toBeNull();
    expect(rowToJob(row('5', null, '2026-03-04 00:00:00+00')).createdAt.toISOString()).toBe(
      '2026-03-04T00:00:00.000Z',
    );
  });
});

describe('toDate', () => {
  it('reads PostgreSQL timestamp text, a new Date each time, and passes a Date through', () => {
    const text = '2026-12-05 06:00:00.123+00';
    const first = toDate(text);
    const second = toDate(text);
    expect(first.toISOString()).toBe('2026-12-05T06:00:00.123Z');
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    expect(toDate('2026-12-05T07:30:00Z').toISOString()).toBe('2026-12-05T07:30:00.000Z');
    const given = new Date(0);
    expect(toDate(given)).toBe(given);
  });
});
