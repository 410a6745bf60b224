import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError } from './errors.js';

/**
 * Runs `value` through a Standard Schema and returns its output; on failure throws a
 * ValidationError whose field is `field` followed by the first issue's path (`params.0.email`).
 */
export async function validateWithSchema(
  schema: StandardSchemaV1,
  value: unknown,
  field: string,
): Promise<unknown> {
  const result = await schema['~standard'].validate(value);
  if (result.issues === undefined) return result.value;
  const [first] = result.issues;
  const path = (first?.path ?? []).map((segment) =>
    String(typeof segment === 'object' ? segment.key : segment),
  );
  const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more issues)` : '';
  throw new ValidationError(
    [field, ...path].join('.'),
    `${first?.message ?? 'is invalid'}${more}`,
    { cause: result.issues },
  );
}
