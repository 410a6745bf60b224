/**
 * Log text: how the two log files write text that users or handlers chose (handler and method
 * names, job and worker ids, error names, messages, stacks), so that it can never forge a line,
 * move a terminal's cursor or reorder what a reader sees.
 *
 * Terminology:
 * - unsafe character: a control character (C0 `U+0000`–`U+001F` with NUL, BEL, VT, FF, CR and
 *   ESC; DEL `U+007F`; C1 `U+0080`–`U+009F` with NEL `U+0085`), the line and paragraph
 *   separators `U+2028` and `U+2029`, a lone surrogate half, or a bidirectional control
 *   (`U+061C`, `U+200E`, `U+200F`, `U+202A`–`U+202E`, `U+2066`–`U+2069`).
 * - escape: the JSON spelling of a character: `\b \t \n \f \r` for those five, `\uXXXX`
 *   (lower-case hex) for every other unsafe character, and `\\` for a backslash, so text can
 *   never spell an escape that was not made here. Quoted, the text is a JSON string literal:
 *   `JSON.parse` gives back exactly what was written.
 */

/** One unsafe character, as a regular expression source (`u` flag). */
const CONTROL = String.raw`[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]|\p{Cs}`;

/** One unsafe character or a backslash (writers escape both, so escapes cannot be forged). */
const UNSAFE = new RegExp(String.raw`\\|${CONTROL}`, 'u');
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');
const HAS_CONTROL = new RegExp(CONTROL, 'u');
const CONTROL_ALL = new RegExp(CONTROL, 'gu');

const SHORT: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

function escapeOne(char: string): string {
  return SHORT[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every unsafe character and every backslash escaped (see the terminology above):
 * one line of printable text, safe in a log file and on a terminal. Used by both log writers.
 */
export function escapeLogText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeOne) : text;
}

/**
 * `text` escaped and in double quotes (a `"` inside escaped as `\"`): a JSON string literal that
 * holds one log field on one line, and that a reader splits on spaces and decodes with `JSON.parse`.
 */
export function quoteLogText(text: string): string {
  return `"${escapeLogText(text).replaceAll('"', '\\"')}"`;
}

/**
 * `line` with its unsafe characters escaped and its backslashes left as they are: for readers
 * showing a log line that may predate escaping (or was written by hand). A line written with
 * `escapeLogText` comes back unchanged, so showing it never escapes twice.
 */
export function showLogText(line: string): string {
  return HAS_CONTROL.test(line) ? line.replace(CONTROL_ALL, escapeOne) : line;
}
