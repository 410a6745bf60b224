/**
 * Terminology
 * - storable text: text PostgreSQL keeps as given in `text` and `jsonb` columns: no NUL
 *   character (U+0000) and no unpaired UTF-16 surrogate. JavaScript strings may hold both, so
 *   every path that writes user or handler text checks (params: refused, naming the field) or
 *   cleans it (results, errors, progress, log lines: replaced with U+FFFD) here, at the edge.
 */

import type { JsonValue } from './job.js';

/** A NUL, or a UTF-16 surrogate without its pair: JSON can carry both, PostgreSQL cannot. */
const UNSTORABLE_CHAR =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_CHARS = new RegExp(UNSTORABLE_CHAR.source, 'g');

/** What stands in for a character PostgreSQL cannot store. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

/** Why text was refused. */
export const UNSTORABLE = 'must not contain NUL characters or unpaired surrogates';

/** True for text PostgreSQL stores as given: no NUL character, no unpaired surrogate. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE_CHAR.test(text);
}

/** `text` with every NUL and unpaired surrogate replaced by U+FFFD; the same string if none. */
export function toStorableText(text: string): string {
  return isStorableText(text) ? text : text.replace(UNSTORABLE_CHARS, REPLACEMENT_CHARACTER);
}

/**
 * Cuts `text` to at most `max` UTF-16 units, marking the cut with `…`, without splitting a
 * surrogate pair (a cut pair would leave an unstorable half).
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The first string (value or object key) in `value` that is not storable text, as a path. */
export function findUnstorable(value: unknown, field: string): string | null {
  const stack: [unknown, string][] = [[value, field]];
  while (stack.length > 0) {
    const [item, at] = stack.pop() as [unknown, string];
    if (typeof item === 'string') {
      if (!isStorableText(item)) return at;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${at}.${i}`]);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, element] of Object.entries(item)) {
        if (!isStorableText(key)) return at;
        stack.push([element, `${at}.${key}`]);
      }
    }
  }
  return null;
}

/**
 * `value` (plain JSON, as JSON.parse makes it) with every string and object key made storable
 * (see `toStorableText`); returns `value` itself when nothing needed it. Walks without
 * recursion, so any depth is safe.
 */
export function toStorableJson(value: JsonValue): JsonValue {
  if (findUnstorable(value, '') === null) return value;
  const root: { v: JsonValue } = { v: value };
  const stack: [Record<string, JsonValue> | JsonValue[], string | number][] = [
    [root as unknown as Record<string, JsonValue>, 'v'],
  ];
  while (stack.length > 0) {
    const [parent, key] = stack.pop() as [Record<string | number, JsonValue>, string | number];
    const item = parent[key];
    if (typeof item === 'string') {
      parent[key] = toStorableText(item);
    } else if (Array.isArray(item)) {
      const copy = [...item];
      parent[key] = copy;
      for (let i = 0; i < copy.length; i++) stack.push([copy, i]);
    } else if (typeof item === 'object' && item !== null) {
      // No prototype: a `__proto__` key stays a plain key.
      const copy = Object.create(null) as Record<string, JsonValue>;
      for (const [k, element] of Object.entries(item)) {
        let name = toStorableText(k);
        while (Object.hasOwn(copy, name)) name += REPLACEMENT_CHARACTER;
        copy[name] = element;
      }
      parent[key] = copy;
      for (const k of Object.keys(copy)) stack.push([copy, k]);
    }
  }
  return root.v;
}
