import { OpenAPIHono } from '@hono/zod-openapi';
import { zodErrorBody } from './errors.js';

/**
 * An OpenAPIHono whose failed validations answer 400 with the error body naming the first
 * field at fault; every route group is built on one.
 */
export function createRouter() {
  return new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return c.json(zodErrorBody(result.error, result.target), 400);
      return undefined;
    },
  });
}
