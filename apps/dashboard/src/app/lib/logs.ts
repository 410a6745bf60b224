/**
 * Reading the two log files the workers write. The job log has one line per state change:
 * `<ISO time> id=<id> handler="<name>" method="<name>" status=<status> attempt=<n>
 * duration_ms=<ms|-> worker="<id>"`. The error log has a line like it (with
 * `error="<name>: <message>"`) followed by the stack, each line indented by two spaces.
 * Workers escape every control character (`escapeLogText`), so only a line starting with a
 * timestamp starts an entry; what is shown goes through `showLogText` again, so a value decoded
 * from its quotes, or a line written before escaping, shows its controls as visible escapes.
 */
import { showLogText } from '@jobs/core';

/** One entry of a log: its first line's fields, and the indented lines after it. */
export interface LogEntry {
  /** Position in the file (0 = oldest shown), a stable key. */
  readonly index: number;
  readonly at: string | null;
  readonly fields: Readonly<Record<string, string>>;
  /** The first line as written. */
  readonly head: string;
  /** The lines that belong to it (the stack), without their indent. */
  readonly detail: readonly string[];
}

const STARTS_ENTRY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const FIELD = /([a-z_]+)=("(?:[^"\\]|\\.)*"|\S+)/g;

/**
 * The `key=value` fields of a log line; quoted values are JSON strings, decoded, with any
 * control character in them shown escaped (`\u202e`, not a right-to-left override).
 */
export function parseFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of line.matchAll(FIELD)) {
    const [, key, raw] = match;
    if (key === undefined || raw === undefined) continue;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = showLogText(JSON.parse(raw) as string);
      } catch {
        value = raw.slice(1, -1);
      }
    }
    fields[key] = value;
  }
  return fields;
}

/**
 * Groups lines (oldest first, as the API returns them) into entries: a line starting with a
 * timestamp starts one; the lines after it (a stack) belong to it. Lines before the first
 * timestamp (cut off by the tail) make an entry of their own.
 */
export function groupEntries(lines: readonly string[]): LogEntry[] {
  const entries: { at: string | null; head: string; detail: string[] }[] = [];
  for (const written of lines) {
    const line = showLogText(written);
    const current = entries.at(-1);
    if (STARTS_ENTRY.test(line) || current === undefined) {
      const at = STARTS_ENTRY.test(line) ? (line.split(' ', 1)[0] ?? null) : null;
      entries.push({ at, head: line, detail: [] });
    } else {
      current.detail.push(line.replace(/^ {2}/, ''));
    }
  }
  return entries.map((e, index) => ({ index, ...e, fields: parseFields(e.head) }));
}

/** The entries newest first. */
export function newestFirst(entries: readonly LogEntry[]): LogEntry[] {
  // By time, then by place in the file: two writers (the API and a worker in one daemon) can
  // append lines a millisecond out of order.
  return [...entries]
    .reverse()
    .sort((a, b) => (a.at === null || b.at === null ? 0 : b.at.localeCompare(a.at)));
}

/** Entries whose text contains `query` (case-insensitive); all of them for an empty query. */
export function filterEntries(entries: readonly LogEntry[], query: string): LogEntry[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [...entries];
  return entries.filter(
    (e) =>
      e.head.toLowerCase().includes(needle) ||
      e.detail.some((line) => line.toLowerCase().includes(needle)),
  );
}
