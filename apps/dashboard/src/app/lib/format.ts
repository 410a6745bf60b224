/** Formatting of times, durations, counts and JSON for the tables and pages. */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2026-01-02 13:04:05` in the viewer's time zone; an empty string for null. */
export function formatDateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** `13:04` in the viewer's time zone, for chart labels. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A length of time: `850 ms`, `2.4 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const abs = Math.max(0, ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 10_000) return `${(Math.floor(abs / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(abs / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60)
    return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** A wait, to the second: `< 1 s`, `42 s`, `3 min 5 s`. */
export function formatWait(ms: number): string {
  if (!(ms >= 1000)) return '< 1 s';
  return formatDuration(Math.floor(ms / 1000) * 1000);
}

/** `3 min ago`, `in 20 s`, `just now`, relative to `now`. */
export function formatRelative(iso: string, now: Date): string {
  const diff = new Date(iso).getTime() - now.getTime();
  if (Math.abs(diff) < 1000) return 'just now';
  const text = formatDuration(Math.abs(diff)).replace(
    /^(\d+(?:\.\d)?) s$/,
    (_, n) => `${Math.round(Number(n))} s`,
  );
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** A count with thousands separators: `1,234,567`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 job`, `3 jobs`. */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : words}`;
}

/** Any JSON value on one line, cut to `max` characters with an ellipsis. */
export function jsonPreview(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Any JSON value, indented for reading. */
export function jsonPretty(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Text cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
