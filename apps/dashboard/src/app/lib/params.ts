/** Checks of a job's params, typed as JSON, before they are sent. */

/** The params as parsed, or why they cannot be sent. */
export type ParamsCheck =
  | { readonly ok: true; readonly value: unknown[] }
  | { readonly ok: false; readonly error: string };

/** Parses the params text: a JSON array (an empty text means no params). */
export function parseParams(text: string): ParamsCheck {
  if (text.trim() === '') return { ok: true, value: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, error: `not valid JSON: ${detail}` };
  }
  if (!Array.isArray(value)) {
    return { ok: false, error: 'must be a JSON array of the arguments, e.g. ["a@b.c", 2]' };
  }
  return { ok: true, value };
}

/** A JSON Schema, as far as these checks read it. */
type Schema = Record<string, unknown>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  const actual = typeOf(value);
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function at(path: string, message: string): string {
  return `${path}: ${message}`;
}

/**
 * The first way `value` breaks `schema` (a JSON Schema of the usual keywords: type, enum,
 * const, lengths, bounds, pattern, email format, prefixItems, items, properties, required,
 * anyOf/oneOf), as `path: message`; null when it fits or the schema says nothing checkable.
 * The server checks again: this only saves a round trip for the plain mistakes.
 */
export function checkSchema(value: unknown, schema: unknown, path = 'params'): string | null {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return null;
  const s = schema as Schema;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length > 0) {
      const errors = options.map((option) => checkSchema(value, option, path));
      if (errors.every((e) => e !== null)) return errors[0] ?? null;
    }
  }
  if (s.type !== undefined && !matchesType(value, s.type)) {
    const wanted = Array.isArray(s.type) ? s.type.join(' or ') : String(s.type);
    return at(path, `must be ${/^[aeiou]/.test(wanted) ? 'an' : 'a'} ${wanted}`);
  }
  if (
    Array.isArray(s.enum) &&
    !s.enum.some((option) => JSON.stringify(option) === JSON.stringify(value))
  ) {
    return at(path, `must be one of ${s.enum.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) {
    return at(path, `must be ${JSON.stringify(s.const)}`);
  }
  if (typeof value === 'string') return checkString(value, s, path);
  if (typeof value === 'number') return checkNumber(value, s, path);
  if (Array.isArray(value)) return checkArray(value, s, path);
  if (typeof value === 'object' && value !== null) {
    return checkObject(value as Record<string, unknown>, s, path);
  }
  return null;
}

function checkString(value: string, s: Schema, path: string): string | null {
  if (typeof s.minLength === 'number' && value.length < s.minLength) {
    return at(path, `must be at least ${s.minLength} characters long`);
  }
  if (typeof s.maxLength === 'number' && value.length > s.maxLength) {
    return at(path, `must be at most ${s.maxLength} characters long`);
  }
  if (s.format === 'email' && !EMAIL.test(value)) return at(path, 'must be an email address');
  if (typeof s.pattern === 'string' && s.format !== 'email') {
    let pattern: RegExp | null = null;
    try {
      pattern = new RegExp(s.pattern, 'u');
    } catch {
      // A pattern JavaScript cannot read: leave it to the server.
    }
    if (pattern !== null && !pattern.test(value)) return at(path, `must match ${s.pattern}`);
  }
  return null;
}

function checkNumber(value: number, s: Schema, path: string): string | null {
  if (typeof s.minimum === 'number' && value < s.minimum)
    return at(path, `must be at least ${s.minimum}`);
  if (typeof s.maximum === 'number' && value > s.maximum)
    return at(path, `must be at most ${s.maximum}`);
  if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) {
    return at(path, `must be more than ${s.exclusiveMinimum}`);
  }
  if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) {
    return at(path, `must be less than ${s.exclusiveMaximum}`);
  }
  return null;
}

function checkArray(value: unknown[], s: Schema, path: string): string | null {
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
  const required = typeof s.minItems === 'number' ? s.minItems : 0;
  if (value.length < required) {
    return at(path, `needs at least ${required} item${required === 1 ? '' : 's'}`);
  }
  if (typeof s.maxItems === 'number' && value.length > s.maxItems) {
    return at(path, `takes at most ${s.maxItems} item${s.maxItems === 1 ? '' : 's'}`);
  }
  if (s.items === false && value.length > prefix.length) {
    return at(path, `takes at most ${prefix.length} item${prefix.length === 1 ? '' : 's'}`);
  }
  for (const [i, item] of value.entries()) {
    const itemSchema = i < prefix.length ? prefix[i] : s.items;
    const error = checkSchema(item, itemSchema, `${path}.${i}`);
    if (error !== null) return error;
  }
  return null;
}

function checkObject(value: Record<string, unknown>, s: Schema, path: string): string | null {
  if (Array.isArray(s.required)) {
    for (const key of s.required) {
      if (typeof key === 'string' && !(key in value)) return at(`${path}.${key}`, 'is required');
    }
  }
  const properties = (
    typeof s.properties === 'object' && s.properties !== null ? s.properties : {}
  ) as Schema;
  for (const [key, item] of Object.entries(value)) {
    if (key in properties) {
      const error = checkSchema(item, properties[key], `${path}.${key}`);
      if (error !== null) return error;
    } else if (s.additionalProperties === false) {
      return at(`${path}.${key}`, 'is not a known field');
    }
  }
  return null;
}

function describeItem(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'any';
  const s = schema as Schema;
  if (Array.isArray(s.enum)) return s.enum.map((o) => JSON.stringify(o)).join(' | ');
  if ('const' in s) return JSON.stringify(s.const);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = s[key];
    if (Array.isArray(options)) return options.map(describeItem).join(' | ');
  }
  const type = Array.isArray(s.type)
    ? s.type.join(' | ')
    : typeof s.type === 'string'
      ? s.type
      : 'any';
  const notes: string[] = [];
  if (typeof s.format === 'string') notes.push(s.format);
  const bound = (n: unknown) => typeof n === 'number' && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (bound(s.minimum) && bound(s.maximum)) notes.push(`${s.minimum} to ${s.maximum}`);
  else if (bound(s.minimum)) notes.push(`at least ${s.minimum}`);
  else if (bound(s.maximum)) notes.push(`at most ${s.maximum}`);
  if (typeof s.minLength === 'number' && s.minLength > 0 && typeof s.format !== 'string') {
    notes.push(s.minLength === 1 ? 'not empty' : `${s.minLength}+ characters`);
  }
  if (type === 'array' && s.items !== undefined && typeof s.items === 'object') {
    return `${describeItem(s.items)}[]`;
  }
  return notes.length === 0 ? type : `${type} (${notes.join(', ')})`;
}

/**
 * The params a schema expects, in words: `[string (email), string (not empty)]`, or null when
 * the schema is not a tuple or array the form can describe.
 */
export function describeParams(schema: unknown): string | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const s = schema as Schema;
  if (Array.isArray(s.prefixItems)) {
    const rest = s.items !== undefined && s.items !== false ? `, ...${describeItem(s.items)}` : '';
    return `[${s.prefixItems.map(describeItem).join(', ')}${rest}]`;
  }
  if (s.type === 'array' && typeof s.items === 'object' && s.items !== null) {
    return `[...${describeItem(s.items)}]`;
  }
  return null;
}
