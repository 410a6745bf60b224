import type { Queue } from '../api/types.js';

const UNITS: readonly (readonly [string, number])[] = [
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
];

/** A rate's period in words: `1s`, `500ms`, `2min`. */
export function formatPeriod(periodMs: number): string {
  for (const [unit, size] of UNITS) {
    if (periodMs % size === 0) return `${periodMs / size}${unit}`;
  }
  return `${periodMs}ms`;
}

/**
 * A queue's limits across every worker with their use now: `3/3 running`, `12/50 per 1s`,
 * `1 per key`; a dash for a queue without limits.
 */
export function QueueLimits({ queue }: { readonly queue: Queue }) {
  const { limits, usage } = queue;
  const parts: { key: string; text: string; full: boolean }[] = [];
  if (limits.concurrency !== null) {
    parts.push({
      key: 'concurrency',
      text: `${usage.running}/${limits.concurrency} running`,
      full: usage.running >= limits.concurrency,
    });
  }
  if (limits.rateLimit !== null) {
    parts.push({
      key: 'rate',
      text: `${usage.recentStarts}/${limits.rateLimit.limit} per ${formatPeriod(limits.rateLimit.periodMs)}`,
      full: usage.recentStarts >= limits.rateLimit.limit,
    });
  }
  if (limits.keyConcurrency !== null) {
    parts.push({ key: 'key', text: `${limits.keyConcurrency} per key`, full: false });
  }
  if (parts.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="queue-limits">
      {parts.map((part) => (
        <li key={part.key} data-limit={part.key} className={part.full ? 'at-limit' : undefined}>
          {part.text}
          {part.full ? <span className="visually-hidden"> (at the limit)</span> : null}
        </li>
      ))}
    </ul>
  );
}
