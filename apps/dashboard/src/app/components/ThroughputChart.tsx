import { type RefObject, useEffect, useRef, useState } from 'react';
import { layoutThroughput, type ThroughputPoint, totals } from '../lib/chart.js';
import { formatClock, formatCount } from '../lib/format.js';
import './chart.css';

const HEIGHT = 200;

/** The element's width in CSS pixels, followed as it resizes (720 until measured). */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(720);
  useEffect(() => {
    const element = ref.current;
    if (element === null || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

function tickLabel(value: number): string {
  return Number.isInteger(value) ? formatCount(value) : value.toFixed(1);
}

/** Completed and failed jobs per minute, as stacked bars drawn in SVG. */
export function ThroughputChart({ points }: { readonly points: readonly ThroughputPoint[] }) {
  const ref = useRef<HTMLElement>(null);
  const WIDTH = useWidth(ref);
  const layout = layoutThroughput(points, WIDTH, HEIGHT);
  const sum = totals(points);
  const { plot } = layout;
  const summary =
    `${formatCount(sum.completed)} completed and ${formatCount(sum.failed)} failed ` +
    `in the last ${points.length} minutes`;
  return (
    <figure className="chart" ref={ref}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Jobs finished per minute: ${summary}`}
      >
        {layout.yTicks.map((tick) => (
          <g key={tick.value} className="chart-grid">
            <line x1={plot.left} x2={plot.left + plot.width} y1={tick.y} y2={tick.y} />
            <text x={plot.left - 6} y={tick.y + 4} textAnchor="end">
              {tickLabel(tick.value)}
            </text>
          </g>
        ))}
        {layout.bars.map((bar) => (
          <g key={bar.point.at}>
            <title>{`${formatClock(bar.point.at)}: ${bar.point.completed} completed, ${bar.point.failed} failed`}</title>
            {bar.completedHeight > 0 ? (
              <rect
                className="bar-completed"
                x={bar.x}
                y={bar.completedY}
                width={bar.width}
                height={bar.completedHeight}
              />
            ) : null}
            {bar.failedHeight > 0 ? (
              <rect
                className="bar-failed"
                x={bar.x}
                y={bar.failedY}
                width={bar.width}
                height={bar.failedHeight}
              />
            ) : null}
          </g>
        ))}
        {layout.xTicks.map((tick) => (
          <text key={tick.at} className="chart-x" x={tick.x} y={HEIGHT - 8} textAnchor="middle">
            {formatClock(tick.at)}
          </text>
        ))}
      </svg>
      <figcaption>
        <span className="legend legend-completed">Completed</span>
        <span className="legend legend-failed">Failed</span>
        <span className="muted">{summary}</span>
      </figcaption>
    </figure>
  );
}
