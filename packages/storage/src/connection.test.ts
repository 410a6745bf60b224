import { describe, expect, it } from 'vitest';
import { reconnectDelaySeconds } from './connection.js';

describe('reconnectDelaySeconds', () => {
  it('starts near 0.1 s and never waits more than a second, however many retries failed', () => {
    for (let retries = 0; retries < 200; retries += 1) {
      const delay = reconnectDelaySeconds(retries);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(1);
    }
    expect(reconnectDelaySeconds(0)).toBeLessThanOrEqual(0.1);
  });
});
