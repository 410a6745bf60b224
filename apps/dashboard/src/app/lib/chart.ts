/** Geometry of the completed/failed per minute chart, drawn as stacked SVG bars. */

/** One minute of the throughput series. */
export interface ThroughputPoint {
  readonly at: string;
  readonly completed: number;
  readonly failed: number;
}

/** One stacked bar: completed at the bottom, failed on top. */
export interface Bar {
  readonly x: number;
  readonly width: number;
  readonly completedY: number;
  readonly completedHeight: number;
  readonly failedY: number;
  readonly failedHeight: number;
  readonly point: ThroughputPoint;
}

/** The chart's layout in SVG user units. */
export interface ChartLayout {
  readonly width: number;
  readonly height: number;
  /** The plot area. */
  readonly plot: {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
  };
  /** The value at the top of the y axis. */
  readonly max: number;
  readonly bars: readonly Bar[];
  /** Horizontal grid lines with their values. */
  readonly yTicks: readonly { readonly y: number; readonly value: number }[];
  /** A few labelled bars along the x axis. */
  readonly xTicks: readonly { readonly x: number; readonly at: string }[];
}

/** The smallest 1, 2 or 5 times a power of ten that is at least `value` (at least 1). */
export function niceCeiling(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

/** Lays out the stacked bars of `points` (oldest first) in a `width` x `height` box. */
export function layoutThroughput(
  points: readonly ThroughputPoint[],
  width: number,
  height: number,
): ChartLayout {
  const plot = {
    left: 36,
    top: 8,
    width: Math.max(1, width - 36 - 20),
    height: Math.max(1, height - 30),
  };
  const peak = points.reduce((m, p) => Math.max(m, p.completed + p.failed), 0);
  const max = niceCeiling(peak);
  const slot = points.length === 0 ? plot.width : plot.width / points.length;
  const gap = slot > 4 ? Math.min(2, slot * 0.2) : 0;
  const scale = (n: number) => (n / max) * plot.height;
  const bottom = plot.top + plot.height;
  const bars = points.map((point, i) => {
    const completedHeight = scale(point.completed);
    const failedHeight = scale(point.failed);
    return {
      x: plot.left + i * slot + gap / 2,
      width: Math.max(0.5, slot - gap),
      completedY: bottom - completedHeight,
      completedHeight,
      failedY: bottom - completedHeight - failedHeight,
      failedHeight,
      point,
    };
  });
  const yTicks = [0, 0.5, 1].map((f) => ({ y: bottom - f * plot.height, value: f * max }));
  const labelEvery = Math.max(
    1,
    Math.ceil(points.length / Math.max(2, Math.floor(plot.width / 90))),
  );
  const xTicks = points
    .map((p, i) => ({ x: plot.left + i * slot + slot / 2, at: p.at, i }))
    .filter(({ i }) => (points.length - 1 - i) % labelEvery === 0)
    .map(({ x, at }) => ({ x, at }));
  return { width, height, plot, max, bars, yTicks, xTicks };
}

/** Totals of a series. */
export function totals(points: readonly ThroughputPoint[]): { completed: number; failed: number } {
  return points.reduce(
    (sum, p) => ({ completed: sum.completed + p.completed, failed: sum.failed + p.failed }),
    { completed: 0, failed: 0 },
  );
}
