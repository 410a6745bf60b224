/**
 * Params typed in the New job form. Before sending, the form checks only what core words for
 * every caller: that the text is a JSON array, and, for a method without a schema, the count it
 * takes. A schema is judged by the server, whose message (the schema's own) is shown: no rule
 * is phrased twice.
 */
import { checkArity, paramsFromText } from '@jobs/core';
import type { HandlerInfo } from '../api/types.js';

/** One method as the API lists it. */
export type MethodListing = HandlerInfo['methods'][number];

/** The params as parsed, or why they cannot be sent. */
export type ParamsCheck =
  | { readonly ok: true; readonly value: unknown[] }
  | { readonly ok: false; readonly error: string };

/**
 * Reads the params text (a JSON array; empty text is no params) and, when `method` is given and
 * has no schema, checks the count it takes, with the message the API gives for the same rule.
 */
export function parseParams(text: string, method?: MethodListing): ParamsCheck {
  try {
    const value = paramsFromText(text);
    if (method !== undefined && !method.hasSchema) {
      checkArity({ method: method.name, arity: method.arity }, value);
    }
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** A JSON Schema, as far as the descriptions read it. */
type Schema = Record<string, unknown>;

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
