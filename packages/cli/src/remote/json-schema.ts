/**
 * The JSON Schema of a method's params, as /api/handlers lists it. The wizard only describes it
 * in its prompts: the server checks params against the method's real schema and its message is
 * the one shown, so no rule is phrased twice.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

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
