import type { CommandContext } from './command.js';

/** Whether to color output: a terminal, and neither NO_COLOR nor TERM=dumb. */
function colorsOn(): boolean {
  return (
    process.stdout.isTTY === true &&
    process.env.NO_COLOR === undefined &&
    process.env.TERM !== 'dumb'
  );
}

const paint = (open: number, close: number) => (text: string) =>
  colorsOn() ? `\u001b[${open}m${text}\u001b[${close}m` : text;

export const bold = paint(1, 22);
export const dim = paint(2, 22);
export const red = paint(31, 39);
export const green = paint(32, 39);
export const yellow = paint(33, 39);
export const blue = paint(34, 39);
export const cyan = paint(36, 39);

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Printed width of `text` (ANSI codes do not count). */
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/** `text` cut to `width` characters with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/**
 * A table with a header row; columns are padded, and the widest ones shrink (with an ellipsis)
 * until the table fits `maxWidth`. Cells are plain text; `colorize` may paint a cell afterwards.
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: {
    readonly maxWidth?: number;
    readonly colorize?: (column: number, cell: string, row: number) => string;
  } = {},
): string {
  const maxWidth = options.maxWidth ?? (process.stdout.columns || 120);
  const cells = rows.map((row) => row.map((cell) => cell.replace(/\s+/g, ' ')));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const gap = 2;
  const total = () => widths.reduce((sum, w) => sum + w, 0) + gap * (widths.length - 1);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] ?? 0) <= 8) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const line = (row: readonly string[], paintCell: (column: number, cell: string) => string) =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        const cut = truncate(cell, width);
        const padded = column === row.length - 1 ? cut : cut.padEnd(width);
        return paintCell(column, padded);
      })
      .join(' '.repeat(gap))
      .trimEnd();
  const out = [line(headers, (_, cell) => bold(cell))];
  cells.forEach((row, index) => {
    out.push(line(row, (column, cell) => options.colorize?.(column, cell, index) ?? cell));
  });
  return `${out.join('\n')}\n`;
}

/** A job state, colored by what it means. */
export function paintState(state: string, text = state): string {
  switch (state) {
    case 'completed':
      return green(text);
    case 'failed':
      return red(text);
    case 'cancelled':
      return dim(text);
    case 'running':
      return cyan(text);
    case 'retrying':
    case 'waiting':
      return yellow(text);
    default:
      return text;
  }
}

/** A short time: `12:03:04` today, `2026-01-02 12:03` otherwise. */
export function shortTime(iso: string | null, now = new Date()): string {
  if (iso === null) return '-';
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === now.toDateString()) return time;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time.slice(0, 5)}`;
}

/** `1.2 s`, `340 ms`, `3 min 2 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Compact JSON of a value, cut to `width`. */
export function compactJson(value: unknown, width = 60): string {
  return truncate(JSON.stringify(value) ?? 'null', width);
}

/** Progress as people read it: `42%` for a number, compact JSON otherwise. */
export function formatProgress(progress: unknown): string {
  if (progress === null || progress === undefined) return '';
  if (typeof progress === 'number') return `${Math.round(progress)}%`;
  if (typeof progress === 'object' && !Array.isArray(progress)) {
    const p = progress as Record<string, unknown>;
    if (typeof p.percent === 'number') {
      const rest = typeof p.message === 'string' ? ` ${p.message}` : '';
      return `${Math.round(p.percent)}%${rest}`;
    }
  }
  return compactJson(progress, 50);
}

/** Prints `value` as JSON, one document. */
export function printJson(context: Pick<CommandContext, 'stdout'>, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
