/**
 * A small JSON Schema check for params typed in the wizard, so a mistake is re-asked at once:
 * type, enum, const, prefixItems/items, min/maxItems, min/maxLength, pattern, minimum/maximum,
 * properties/required/additionalProperties, anyOf/oneOf. Anything it does not know passes; the
 * server checks against the method's real schema on enqueue anyway.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** The first problem of `value` against `schema` as `params.0.to: must be a string`, or null. */
export function checkJsonSchema(
  value: unknown,
  schema: JsonSchema,
  path = 'params',
): string | null {
  const fail = (message: string) => `${path}: ${message}`;
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    return fail(`must be ${JSON.stringify(schema.const)}`);
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))
  ) {
    return fail(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const problems = options.map((option) => checkJsonSchema(value, option as JsonSchema, path));
      if (problems.every((p) => p !== null)) return problems[0] ?? null;
    }
  }
  const type = schema.type;
  const types = Array.isArray(type) ? type : typeof type === 'string' ? [type] : [];
  if (types.length > 0 && !types.some((t) => isType(value, String(t)))) {
    return fail(`must be ${types.map(article).join(' or ')}`);
  }
  if (typeof value === 'string') return checkString(value, schema, fail);
  if (typeof value === 'number') return checkNumber(value, schema, fail);
  if (Array.isArray(value)) return checkArray(value, schema, path, fail);
  if (typeof value === 'object' && value !== null) {
    return checkObject(value as Record<string, unknown>, schema, path, fail);
  }
  return null;
}

function isType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

function article(type: string): string {
  return type === 'integer' || type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
}

type Fail = (message: string) => string;

function checkString(value: string, schema: JsonSchema, fail: Fail): string | null {
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
    return fail(
      schema.minLength === 1
        ? 'must not be empty'
        : `must be at least ${schema.minLength} characters long`,
    );
  }
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
    return fail(`must be at most ${schema.maxLength} characters long`);
  }
  if (typeof schema.pattern === 'string') {
    let pattern: RegExp | null = null;
    try {
      pattern = new RegExp(schema.pattern, 'u');
    } catch {
      pattern = null;
    }
    if (pattern !== null && !pattern.test(value)) {
      return fail(
        typeof schema.format === 'string'
          ? `must be a valid ${schema.format}`
          : `must match ${schema.pattern}`,
      );
    }
  }
  return null;
}

function checkNumber(value: number, schema: JsonSchema, fail: Fail): string | null {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (typeof minimum === 'number' && value < minimum) return fail(`must be at least ${minimum}`);
  if (typeof maximum === 'number' && value > maximum) return fail(`must be at most ${maximum}`);
  if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) {
    return fail(`must be greater than ${exclusiveMinimum}`);
  }
  if (typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum) {
    return fail(`must be less than ${exclusiveMaximum}`);
  }
  return null;
}

function checkArray(
  value: readonly unknown[],
  schema: JsonSchema,
  path: string,
  fail: Fail,
): string | null {
  const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as JsonSchema[]) : [];
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    return fail(
      `needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}, got ${value.length}`,
    );
  }
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
    return fail(
      `takes at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}, got ${value.length}`,
    );
  }
  for (const [index, item] of value.entries()) {
    const itemSchema = index < prefix.length ? prefix[index] : schema.items;
    if (itemSchema === false)
      return fail(`takes at most ${prefix.length} items, got ${value.length}`);
    if (typeof itemSchema !== 'object' || itemSchema === null) continue;
    const problem = checkJsonSchema(item, itemSchema as JsonSchema, `${path}.${index}`);
    if (problem !== null) return problem;
  }
  return null;
}

function checkObject(
  value: Record<string, unknown>,
  schema: JsonSchema,
  path: string,
  fail: Fail,
): string | null {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const key of Array.isArray(schema.required) ? schema.required : []) {
    if (!(String(key) in value)) return `${path}.${String(key)}: is required`;
  }
  for (const [key, item] of Object.entries(value)) {
    const propertySchema = properties[key];
    if (propertySchema === undefined) {
      if (schema.additionalProperties === false) return fail(`has an unknown key "${key}"`);
      continue;
    }
    const problem = checkJsonSchema(item, propertySchema, `${path}.${key}`);
    if (problem !== null) return problem;
  }
  return null;
}

/** What the params look like, for a prompt: `[email, integer]`; null when the schema cannot tell. */
export function describeParams(schema: JsonSchema | null): string | null {
  if (schema === null || !Array.isArray(schema.prefixItems)) return null;
  const names = (schema.prefixItems as JsonSchema[]).map((item) => {
    if (typeof item.format === 'string') return item.format;
    if (Array.isArray(item.enum)) return item.enum.map((e) => JSON.stringify(e)).join('|');
    if (typeof item.type === 'string') return item.type;
    return 'any';
  });
  return `[${names.join(', ')}]`;
}
