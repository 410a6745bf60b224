import { describe, expect, it } from 'vitest';
import { formatDuration, formatRelative, formatWait, jsonPreview, plural } from './format.js';

describe('formatDuration', () => {
  it('picks a unit that reads well', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(2_450)).toBe('2.4 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(120_000)).toBe('2 min');
    expect(formatDuration(2 * 3_600_000 + 10 * 60_000)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
  });

  it('never shows a negative time', () => {
    expect(formatDuration(-5)).toBe('0 ms');
  });
});

describe('formatWait', () => {
  it('rounds to the second and says "< 1 s" below it', () => {
    expect(formatWait(300)).toBe('< 1 s');
    expect(formatWait(-2000)).toBe('< 1 s');
    expect(formatWait(61_900)).toBe('1 min 1 s');
  });
});

describe('formatRelative', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  it('tells past and future apart', () => {
    expect(formatRelative('2026-01-01T11:57:00Z', now)).toBe('3 min ago');
    expect(formatRelative('2026-01-01T12:00:20Z', now)).toBe('in 20 s');
    expect(formatRelative('2026-01-01T12:00:00.400Z', now)).toBe('just now');
  });
});

describe('jsonPreview and plural', () => {
  it('cuts long JSON with an ellipsis', () => {
    expect(jsonPreview(['a@b.c', 2])).toBe('["a@b.c",2]');
    const long = jsonPreview(['x'.repeat(100)], 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('…')).toBe(true);
  });

  it('counts with separators and the right noun', () => {
    expect(plural(1, 'job')).toBe('1 job');
    expect(plural(1234, 'job')).toBe('1,234 jobs');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});
