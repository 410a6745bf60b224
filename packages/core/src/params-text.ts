import { ValidationError } from './errors.js';

/**
 * Params typed as text (the CLI wizard, the dashboard's form) as the array to send: JSON of an
 * array, or no params for empty text. Throws a ValidationError naming `params` otherwise, in
 * the words the client uses for the same rule.
 */
export function paramsFromText(text: string, field = 'params'): unknown[] {
  if (text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(field, `is not valid JSON: ${detail}`, { cause: error });
  }
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  return value;
}
