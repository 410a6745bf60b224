import { describe, expect, it } from 'vitest';
import { createThrottle, type Timers } from './throttle.js';

function fakeTimers() {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = next++;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = queue.findIndex((t) => t.id === id);
      if (i >= 0) queue.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of queue.filter((t) => t.at <= now)) {
      queue.splice(queue.indexOf(t), 1);
      t.fn();
    }
  };
  return { timers, advance };
}

describe('createThrottle', () => {
  it('runs the first request at once and merges a burst into one more run', () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const throttle = createThrottle(() => runs++, 1000, timers);
    throttle.request();
    expect(runs).toBe(1);
    for (let i = 0; i < 10; i++) {
      advance(50);
      throttle.request();
    }
    expect(runs).toBe(1);
    advance(500);
    expect(runs).toBe(2);
    advance(5000);
    expect(runs).toBe(2);
    throttle.request();
    expect(runs).toBe(3);
  });

  it('drops a pending run when cancelled', () => {
    const { timers, advance } = fakeTimers();
    let runs = 0;
    const throttle = createThrottle(() => runs++, 1000, timers);
    throttle.request();
    throttle.request();
    throttle.cancel();
    advance(2000);
    expect(runs).toBe(1);
  });
});
