import { showLogText } from '@jobs/core';

/**
 * Writes log lines to `out`, one per line, with any control character escaped (`showLogText`):
 * a log file written before the workers escaped them, by hand, or a server that passes them on
 * can never send ESC, CR or a line separator to the terminal.
 */
export function printLogLines(
  out: { write(text: string): unknown },
  lines: readonly string[],
): void {
  if (lines.length === 0) return;
  out.write(lines.map((line) => `${showLogText(line)}\n`).join(''));
}

/** Lines of `current` after the end of `previous` (both tails of one growing file). */
export function newLines(
  previous: readonly string[],
  current: readonly string[],
): readonly string[] {
  if (previous.length === 0) return current;
  const last = previous.at(-1);
  for (let end = current.length - 1; end >= 0; end--) {
    if (current[end] !== last) continue;
    // Check that the lines before it agree too (log lines repeat rarely, but may).
    let agree = true;
    for (let k = 1; k <= Math.min(5, end, previous.length - 1); k++) {
      if (current[end - k] !== previous[previous.length - 1 - k]) {
        agree = false;
        break;
      }
    }
    if (agree) return current.slice(end + 1);
  }
  return current;
}
