import { describe, expect, it } from 'vitest';
import { formatBytes, formatRetention, formatShare } from './retention.js';

describe('retention and storage figures', () => {
  it('says forever, at once, or the duration', () => {
    expect(formatRetention(null)).toBe('forever');
    expect(formatRetention(0)).toBe('deleted at once');
    expect(formatRetention(86_400_000)).toBe('1 d');
    expect(formatRetention(3_600_000)).toBe('1 h');
  });

  it('prints bytes in binary units and shares in percent', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatBytes(40 * 2 ** 20)).toBe('40.0 MiB');
    expect(formatBytes(300 * 2 ** 30)).toBe('300 GiB');
    expect(formatBytes(Number.NaN)).toBe('');
    expect(formatShare(0.042)).toBe('4.2 %');
  });
});
