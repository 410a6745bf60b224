/**
 * Terminology
 * - arity: how many arguments a method takes: `min` (its required parameters) to `max` (all of
 *   them; null when a rest parameter or a use of `arguments` lets it take any number).
 * - required parameters: every one up to the last plain one (neither defaulted nor rest): JSON
 *   params cannot leave a position out. A TypeScript optional parameter without a default
 *   (`note?: string`) compiles to a plain one, so it counts as required: give it a default.
 */

/** How many arguments a method takes, read from its declaration. */
export interface Arity {
  /** Fewest arguments it needs. */
  readonly min: number;
  /** Most it takes; null when unbounded (rest parameter, `arguments`, or unreadable source). */
  readonly max: number | null;
  /** Its parameters as written (`subject?` when defaulted, `...rest`); null when unreadable. */
  readonly names: readonly string[] | null;
}

/** The arity of a method whose declaration is not at hand: any number of arguments. */
export const UNKNOWN_ARITY: Arity = Object.freeze({ min: 0, max: null, names: null });

const functionToString = Function.prototype.toString;

/**
 * The arity of `fn`, read from its source text: `Function.length` alone stops at the first
 * defaulted or rest parameter. Handles function declarations and expressions, class and object
 * methods, arrows, async and generators, defaults holding brackets, strings, templates and
 * regular expressions, destructuring, and comments. When the source cannot be read (native,
 * bound or proxied functions) or disagrees with `Function.length`, only what is certain is
 * kept: at least `fn.length` arguments, any number more.
 */
export function readArity(fn: (...args: never) => unknown): Arity {
  const certain: Arity = { min: fn.length, max: null, names: null };
  let source: string;
  try {
    source = Reflect.apply(functionToString, fn, []) as string;
  } catch {
    return certain;
  }
  const parsed = parseParameterList(source);
  if (parsed === null) return certain;
  const leading = parsed.params.findIndex((p) => p.kind !== 'plain');
  if ((leading === -1 ? parsed.params.length : leading) !== fn.length) return certain;
  let min = 0;
  parsed.params.forEach((p, index) => {
    if (p.kind === 'plain') min = index + 1;
  });
  const rest = parsed.params.some((p) => p.kind === 'rest');
  return {
    min,
    max: rest || parsed.usesArguments ? null : parsed.params.length,
    names: parsed.params.map((p) =>
      p.kind === 'rest' ? `...${p.name}` : p.kind === 'defaulted' ? `${p.name}?` : p.name,
    ),
  };
}

/** One parameter as written. */
interface Parameter {
  readonly name: string;
  readonly kind: 'plain' | 'defaulted' | 'rest';
}

/** The parameter list of a function's source, or null when it cannot be read. */
export function parseParameterList(
  source: string,
): { params: Parameter[]; usesArguments: boolean } | null {
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) return null;
  const tokens = tokenize(source);
  if (tokens === null) return null;
  // Find the list's opening parenthesis, skipping a computed method name; or a bare arrow param.
  let index = 0;
  while (index < tokens.length) {
    const token = tokens[index] as Token;
    if (token.text === '(') break;
    if (token.text === '[') {
      const end = matching(tokens, index);
      if (end === -1) return null;
      index = end + 1;
      continue;
    }
    if (token.text === '=>') {
      const previous = tokens[index - 1];
      if (previous?.kind !== 'word') return null;
      return {
        params: [{ name: previous.text, kind: 'plain' }],
        usesArguments: usesArguments(tokens, index + 1),
      };
    }
    if (token.text === '{' || token.text === '=') return null;
    index++;
  }
  if (index >= tokens.length) return null;
  const close = matching(tokens, index);
  if (close === -1) return null;
  const params: Parameter[] = [];
  let start = index + 1;
  for (let at = start; at <= close; at++) {
    const token = tokens[at] as Token;
    const isOpen = token.text === '(' || token.text === '[' || token.text === '{';
    if (isOpen && at !== close) {
      const end = matching(tokens, at);
      if (end === -1 || end > close) return null;
      at = end;
      continue;
    }
    if (token.text !== ',' && at !== close) continue;
    if (at > start) params.push(toParameter(tokens.slice(start, at)));
    else if (at !== close) return null;
    start = at + 1;
  }
  return { params, usesArguments: usesArguments(tokens, close + 1) };
}

function toParameter(tokens: readonly Token[]): Parameter {
  const rest = tokens[0]?.text === '...';
  const body = rest ? tokens.slice(1) : tokens;
  const equals = topLevelEquals(body);
  const pattern = equals === -1 ? body : body.slice(0, equals);
  const name = pattern.length === 1 ? (pattern[0] as Token).text : joinPattern(pattern);
  return { name, kind: rest ? 'rest' : equals === -1 ? 'plain' : 'defaulted' };
}

/** The index of the first `=` outside brackets (a default value's start), or -1. */
function topLevelEquals(tokens: readonly Token[]): number {
  let depth = 0;
  for (const [index, token] of tokens.entries()) {
    if (token.text === '(' || token.text === '[' || token.text === '{') depth++;
    else if (token.text === ')' || token.text === ']' || token.text === '}') depth--;
    else if (token.text === '=' && depth === 0) return index;
  }
  return -1;
}

/** A destructuring pattern as short text: `{ to, subject }`. */
function joinPattern(tokens: readonly Token[]): string {
  return tokens
    .map((t) => t.text)
    .join(' ')
    .replace(/ ,/g, ',')
    .replace(/\[ /g, '[')
    .replace(/ \]/g, ']')
    .replace(/ :/g, ':');
}

function usesArguments(tokens: readonly Token[], from: number): boolean {
  for (let at = from; at < tokens.length; at++) {
    const token = tokens[at] as Token;
    if (token.kind === 'word' && token.text === 'arguments' && tokens[at - 1]?.text !== '.') {
      return true;
    }
  }
  return false;
}

function matching(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let at = open; at < tokens.length; at++) {
    const text = (tokens[at] as Token).text;
    const closer = pairs[text];
    if (closer !== undefined) stack.push(closer);
    else if (text === ')' || text === ']' || text === '}') {
      if (stack.pop() !== text) return -1;
      if (stack.length === 0) return at;
    }
  }
  return -1;
}

/** A token of JavaScript source; strings, templates, regexes and numbers are `literal`. */
export interface Token {
  readonly kind: 'word' | 'punct' | 'literal';
  readonly text: string;
}

const PUNCTUATORS = ['...', '=>', '===', '!==', '==', '!=', '<=', '>=', '&&', '||', '??', '?.'];
const REGEX_AFTER = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+']);
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new']);

/**
 * Splits JavaScript source into tokens, dropping comments and whitespace; strings, templates
 * (their `${}` parts included) and regular expressions become one literal token each. Returns
 * null on text it cannot follow (an unterminated string, template, regex or comment).
 */
export function tokenize(source: string): Token[] | null {
  return scan(source, 0, false)?.tokens ?? null;
}

/**
 * Tokens from `start`; with `inTemplate`, stops after the `}` that closes a template's `${`.
 * Returns the tokens and the index it stopped at, or null.
 */
function scan(
  source: string,
  start: number,
  inTemplate: boolean,
): { tokens: Token[]; end: number } | null {
  const tokens: Token[] = [];
  let depth = 0;
  let at = start;
  while (at < source.length) {
    const char = source[at] as string;
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if (source.startsWith('//', at)) {
      const end = source.indexOf('\n', at);
      at = end === -1 ? source.length : end + 1;
      continue;
    }
    if (source.startsWith('/*', at)) {
      const end = source.indexOf('*/', at + 2);
      if (end === -1) return null;
      at = end + 2;
      continue;
    }
    let end: number;
    let kind: Token['kind'] = 'literal';
    if (/[\p{ID_Start}$_\\]/u.test(char)) {
      const match = /^(?:[\p{ID_Continue}$\\]|\u200c|\u200d)+/u.exec(source.slice(at, at + 256));
      end = at + (match?.[0] ?? char).length;
      kind = 'word';
    } else if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(source[at + 1] ?? ''))) {
      const match = /^[0-9a-zA-Z_.]+/.exec(source.slice(at, at + 256));
      end = at + (match?.[0] ?? char).length;
    } else if (char === '"' || char === "'") {
      end = skipString(source, at, char);
    } else if (char === '`') {
      end = skipTemplate(source, at);
    } else if (char === '/' && startsRegex(tokens.at(-1))) {
      end = skipRegex(source, at);
    } else {
      if (inTemplate && char === '{') depth++;
      if (inTemplate && char === '}' && depth-- === 0) return { tokens, end: at + 1 };
      end = at + (PUNCTUATORS.find((p) => source.startsWith(p, at)) ?? char).length;
      kind = 'punct';
    }
    if (end === -1) return null;
    tokens.push({ kind, text: source.slice(at, end) });
    at = end;
  }
  return inTemplate ? null : { tokens, end: at };
}

function startsRegex(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'word') return REGEX_AFTER_WORDS.has(previous.text);
  if (previous.kind === 'literal') return false;
  return REGEX_AFTER.has(previous.text) || previous.text === '=>' || previous.text.endsWith('=');
}

/** The index just past the string opened by `quote` at `start`, or -1. */
function skipString(source: string, start: number, quote: string): number {
  for (let at = start + 1; at < source.length; at++) {
    const char = source[at];
    if (char === '\\') at++;
    else if (char === quote) return at + 1;
    else if (char === '\n') return -1;
  }
  return -1;
}

/** The index just past the template opened at `start` (nested `${}` followed), or -1. */
function skipTemplate(source: string, start: number): number {
  for (let at = start + 1; at < source.length; at++) {
    const char = source[at];
    if (char === '\\') at++;
    else if (char === '`') return at + 1;
    else if (char === '$' && source[at + 1] === '{') {
      const inner = scan(source, at + 2, true);
      if (inner === null) return -1;
      at = inner.end - 1;
    }
  }
  return -1;
}

/** The index just past the regular expression (and its flags) starting at `start`, or -1. */
function skipRegex(source: string, start: number): number {
  let inClass = false;
  for (let at = start + 1; at < source.length; at++) {
    const char = source[at];
    if (char === '\\') at++;
    else if (char === '\n') return -1;
    else if (char === '[') inClass = true;
    else if (char === ']') inClass = false;
    else if (char === '/' && !inClass) {
      let end = at + 1;
      while (end < source.length && /[a-z]/i.test(source[end] as string)) end++;
      return end;
    }
  }
  return -1;
}
