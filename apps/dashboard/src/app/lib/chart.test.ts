import { describe, expect, it } from 'vitest';
import { layoutThroughput, niceCeiling, totals } from './chart.js';

const minute = (i: number) => new Date(Date.UTC(2026, 0, 1, 12, i)).toISOString();

describe('niceCeiling', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 48, 120, 999].map(niceCeiling)).toEqual([
      1, 1, 5, 10, 10, 20, 50, 200, 1000,
    ]);
  });
});

describe('layoutThroughput', () => {
  const points = Array.from({ length: 60 }, (_, i) => ({
    at: minute(i),
    completed: i === 59 ? 8 : i % 10,
    failed: i === 59 ? 2 : 0,
  }));
  const layout = layoutThroughput(points, 720, 200);

  it('stacks failed on completed, scaled to a nice maximum', () => {
    expect(layout.max).toBe(10);
    const last = layout.bars.at(-1)!;
    const bottom = layout.plot.top + layout.plot.height;
    expect(last.completedY + last.completedHeight).toBeCloseTo(bottom);
    expect(last.failedY + last.failedHeight).toBeCloseTo(last.completedY);
    expect(last.completedHeight + last.failedHeight).toBeCloseTo(layout.plot.height);
  });

  it('keeps bars inside the plot, in time order, and labels the latest minute', () => {
    for (const [i, bar] of layout.bars.entries()) {
      expect(bar.x).toBeGreaterThanOrEqual(layout.plot.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(layout.plot.left + layout.plot.width + 0.001);
      if (i > 0) expect(bar.x).toBeGreaterThan(layout.bars[i - 1]!.x);
    }
    expect(layout.xTicks.at(-1)?.at).toBe(minute(59));
    expect(layout.xTicks.length).toBeLessThanOrEqual(8);
  });

  it('draws an empty series at scale 1 without dividing by zero', () => {
    const empty = layoutThroughput([{ at: minute(0), completed: 0, failed: 0 }], 300, 100);
    expect(empty.max).toBe(1);
    expect(empty.bars[0]?.completedHeight).toBe(0);
    expect(totals(points)).toEqual({ completed: 269, failed: 2 });
  });
});
