import { createRoute, z } from '@hono/zod-openapi';
import type { MethodInfo } from '@jobs/core';
import type { Deps } from '../deps.js';
import { createRouter } from '../router.js';
import { errorResponses, jsonResponse } from './common.js';

const HandlersSchema = z
  .object({
    handlers: z.array(
      z.object({
        name: z.string(),
        isolated: z.boolean().openapi({ description: 'Runs in a child process.' }),
        methods: z.array(
          z.object({
            name: z.string(),
            hasSchema: z.boolean(),
            paramsSchema: z
              .record(z.string(), z.unknown())
              .nullable()
              .openapi({ description: 'JSON Schema of the params, when the schema can tell.' }),
            arity: z
              .object({
                min: z.int().openapi({ description: 'Fewest arguments it takes.' }),
                max: z
                  .int()
                  .nullable()
                  .openapi({ description: 'Most it takes; null when any number more.' }),
                names: z
                  .array(z.string())
                  .nullable()
                  .openapi({ description: 'Its parameters as declared; null when unknown.' }),
              })
              .openapi({
                description:
                  'How many arguments the method declares; checked when it has no schema.',
              }),
          }),
        ),
      }),
    ),
  })
  .openapi('Handlers');

const handlersRoute = createRoute({
  method: 'get',
  path: '/handlers',
  tags: ['handlers'],
  summary: 'Registered handlers, their methods and param schemas',
  responses: { 200: jsonResponse(HandlersSchema, 'The allow-list'), ...errorResponses(401) },
});

interface JsonSchemaConverter {
  input(options: { target: string }): Record<string, unknown>;
}

/** The JSON Schema of a method's params, from a Standard JSON Schema converter if it has one. */
function paramsSchemaOf(method: MethodInfo): Record<string, unknown> | null {
  const props: unknown = method.schema?.['~standard'];
  if (typeof props !== 'object' || props === null || !('jsonSchema' in props)) return null;
  const converter = props.jsonSchema as Partial<JsonSchemaConverter> | undefined;
  if (typeof converter?.input !== 'function') return null;
  try {
    return converter.input({ target: 'draft-2020-12' });
  } catch {
    return null;
  }
}

/** The handler allow-list, under /api. */
export function handlerRoutes({ registry }: Deps) {
  const handlers = registry.list().map((h) => ({
    name: h.name,
    isolated: h.isolate !== undefined,
    methods: h.methods.map((m) => ({
      name: m.name,
      hasSchema: m.hasSchema,
      paramsSchema: paramsSchemaOf(m),
      arity: { min: m.arity.min, max: m.arity.max, names: m.arity.names && [...m.arity.names] },
    })),
  }));
  return createRouter().openapi(handlersRoute, (c) => c.json({ handlers }, 200));
}
