/** An OpenAPI document as JSON. */
export type OpenApiDocument = Record<string, unknown>;

/** The methods whose requests the same-origin check may refuse with 403. */
const STATE_CHANGING = new Set(['post', 'put', 'patch', 'delete']);

/** Paths answered whatever the Host or token: they declare no 421 and no security. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/healthz']);

const ERROR_CONTENT = {
  'application/json': { schema: { $ref: '#/components/schemas/Error' } },
};

/** The answers of the guards every route passes, as OpenAPI responses. */
const GUARD_ANSWERS = {
  403: {
    description:
      'Refused: a state-changing request sent by another site (its Origin is not this server ' +
      'nor in JOBS_ALLOWED_ORIGINS).',
    content: ERROR_CONTENT,
  },
  421: {
    description: 'Refused: the Host is neither loopback nor in JOBS_ALLOWED_HOSTS.',
    content: ERROR_CONTENT,
  },
} as const;

/** `get /api/jobs/{id}` as `getApiJobsId`, for an operation that has no operationId. */
function operationIdFrom(method: string, path: string): string {
  const words = path
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `${method}${words.join('')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Completes a generated document with what the middleware adds to every route: a 421 where
 * the Host is checked, a 403 on state-changing operations, `security: []` on open paths, and an
 * operationId (from method and path) on any operation that was given none.
 */
export function completeDocument(document: OpenApiDocument): OpenApiDocument {
  const paths = isRecord(document.paths) ? document.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!isRecord(operation)) continue;
      operation.operationId ??= operationIdFrom(method, path);
      const responses = isRecord(operation.responses) ? operation.responses : {};
      if (OPEN_PATHS.has(path)) {
        operation.security = [];
      } else {
        responses[421] ??= GUARD_ANSWERS[421];
        if (STATE_CHANGING.has(method)) responses[403] ??= GUARD_ANSWERS[403];
      }
      operation.responses = responses;
    }
  }
  return document;
}
