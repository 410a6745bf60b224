import { createRoute, z } from '@hono/zod-openapi';
import type { Deps } from '../deps.js';
import { tailFile } from '../logs/tail.js';
import { createRouter } from '../router.js';
import { queryIntegerBetween } from '../schemas/numbers.js';
import { errorResponses, jsonResponse } from './common.js';

/** Most lines one request returns. */
export const MAX_LOG_LINES = 5000;

const LogTailSchema = z
  .object({
    file: z.string().openapi({ description: 'The file name (not its directory).' }),
    lines: z.array(z.string()).openapi({ description: 'Oldest first.' }),
    truncated: z.boolean().openapi({ description: 'Older lines were left out.' }),
  })
  .openapi('LogTail');

const LinesQuery = z.strictObject({
  lines: queryIntegerBetween(1, MAX_LOG_LINES)
    .optional()
    .openapi({ description: 'How many of the last lines (default 200).', example: 200 }),
});

function logRoute(which: 'jobs' | 'errors', summary: string) {
  return createRoute({
    method: 'get',
    path: `/logs/${which}`,
    operationId: which === 'jobs' ? 'tailJobLog' : 'tailErrorLog',
    tags: ['logs'],
    summary,
    request: { query: LinesQuery },
    responses: { 200: jsonResponse(LogTailSchema, 'The tail'), ...errorResponses(400, 401, 503) },
  });
}

/** The tails of the job log and the error log, under /api. */
export function logRoutes({ logFiles }: Deps) {
  const tail = async (which: 'jobs' | 'errors', lines: number | undefined) => {
    const path = logFiles.path(which);
    const found = await tailFile(path, lines ?? 200);
    return { file: path.split(/[\\/]/).at(-1) ?? '', ...found };
  };
  return createRouter()
    .openapi(logRoute('jobs', 'The end of the job log (one line per state change)'), async (c) =>
      c.json(await tail('jobs', c.req.valid('query').lines), 200),
    )
    .openapi(logRoute('errors', 'The end of the error log (failures with stacks)'), async (c) =>
      c.json(await tail('errors', c.req.valid('query').lines), 200),
    );
}
