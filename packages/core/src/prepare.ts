import { checkArity } from './arity.js';
import { ValidationError } from './errors.js';
import type { HandlerRegistry } from './handler-types.js';
import { type ClientDefaults, type EnqueueOptions, normalizeEnqueue } from './options.js';
import { validateWithSchema } from './schema.js';
import type { NewJob } from './store.js';
import { isPlainObject } from './validate.js';

/** One job arriving untyped (HTTP API, CLI, a stored schedule): everything is checked at run time. */
export interface UntypedEnqueueSpec {
  readonly handler: unknown;
  readonly method: unknown;
  /** Defaults to no arguments. */
  readonly params?: unknown;
  readonly options?: unknown;
}

/**
 * Checks an untyped enqueue against the allow-list (UnknownHandlerError), the method's schema
 * or declared arity, and the options (ValidationError naming the field), and returns the
 * `NewJob` a store inserts. The client's enqueue and the scheduler share it.
 */
export async function prepareJob(
  registry: HandlerRegistry<unknown>,
  spec: UntypedEnqueueSpec,
  defaults: ClientDefaults,
  limits: { readonly maxParamsBytes?: number } = {},
): Promise<NewJob> {
  return prepareJobNow(registry, spec, defaults, limits);
}

/**
 * `prepareJob`, answering at once when nothing waits: only a method with a schema gives a
 * promise (a Standard Schema validates asynchronously). A bulk enqueue checks a thousand jobs
 * in a loop, and a promise and an await per job were a fifth of what the client allocated.
 * Throws (rather than rejects) what it finds wrong before the schema runs.
 */
export function prepareJobNow(
  registry: HandlerRegistry<unknown>,
  spec: UntypedEnqueueSpec,
  defaults: ClientDefaults,
  limits: { readonly maxParamsBytes?: number } = {},
): NewJob | Promise<NewJob> {
  if (!isPlainObject(spec)) throw new ValidationError('job', 'must be an object');
  const { handler, method, options: given } = spec;
  if (typeof handler !== 'string') throw new ValidationError('handler', 'must be a string');
  if (typeof method !== 'string') throw new ValidationError('method', 'must be a string');
  const resolved = registry.resolve(handler, method);
  const raw = spec.params ?? [];
  const finish = (params: unknown): NewJob => {
    if (given !== undefined && given !== null && !isPlainObject(given)) {
      throw new ValidationError('options', 'must be an object');
    }
    const job = normalizeEnqueue(
      { handler, method, params, options: (given ?? undefined) as EnqueueOptions | undefined },
      defaults,
      limits,
    );
    // With a schema, the schema decides; without one, the count the method declares.
    if (resolved.schema === undefined) checkArity(resolved, job.params);
    return job;
  };
  if (resolved.schema === undefined) return finish(raw);
  return validateWithSchema(resolved.schema, raw, 'params').then(finish);
}
