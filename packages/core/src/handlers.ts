import type { StandardSchemaV1 } from '@standard-schema/spec';
import { UnknownHandlerError, ValidationError } from './errors.js';
import {
  HANDLER_DEFINITION,
  type HandlerDefinition,
  type HandlerInfo,
  type HandlerOptions,
  type HandlerRegistry,
  type HandlerTargets,
  type IsolateOptions,
  type ResolvedMethod,
} from './handler-types.js';
import {
  HANDLER_NAME_PATTERN,
  isHandlerName,
  isMethodName,
  isReservedName,
  MAX_HANDLER_NAME_LENGTH,
  METHOD_NAME_PATTERN,
} from './names.js';
import { checkString, isPlainObject } from './validate.js';

type Method = (...args: unknown[]) => unknown;

interface RegisteredHandler {
  readonly info: HandlerInfo;
  readonly methods: ReadonlyMap<string, ResolvedMethod>;
}

/** Attaches per-method schemas and isolation to a handler object, for `defineHandlers`. */
export function handler<T extends object>(
  target: T,
  options: HandlerOptions<NoInfer<T>> = {},
): HandlerDefinition<T> {
  return Object.freeze({ [HANDLER_DEFINITION]: true as const, target, options });
}

/**
 * Builds the allow-list from named handler objects (class instances or plain objects of
 * functions, optionally wrapped by `handler`). Throws ValidationError for a bad name or handler.
 */
export function defineHandlers<D extends Record<string, object>>(
  definitions: D,
): HandlerRegistry<HandlerTargets<D>> {
  if (!isPlainObject(definitions)) {
    throw new ValidationError('handlers', 'must be an object of named handlers');
  }
  const handlers = new Map<string, RegisteredHandler>();
  for (const name of Object.keys(definitions)) {
    const field = `handlers.${name}`;
    checkHandlerName(name, field);
    const descriptor = Object.getOwnPropertyDescriptor(definitions, name);
    if (descriptor === undefined || !('value' in descriptor)) {
      throw new ValidationError(field, 'must be a value, not a getter');
    }
    handlers.set(name, register(name, descriptor.value, field));
  }
  const infos = Object.freeze([...handlers.values()].map((entry) => entry.info));
  return Object.freeze({
    resolve(handlerName: string, method: string): ResolvedMethod {
      const entry = typeof handlerName === 'string' ? handlers.get(handlerName) : undefined;
      if (entry === undefined) throw new UnknownHandlerError(String(handlerName));
      const resolved = typeof method === 'string' ? entry.methods.get(method) : undefined;
      if (resolved === undefined) throw new UnknownHandlerError(handlerName, String(method));
      return resolved;
    },
    list: () => infos,
  });
}

function checkHandlerName(name: string, field: string): void {
  if (isHandlerName(name)) return;
  if (isReservedName(name)) {
    throw new ValidationError(field, 'is reserved: every object inherits a member of that name');
  }
  if (name.length > MAX_HANDLER_NAME_LENGTH) {
    throw new ValidationError(field, `must be at most ${MAX_HANDLER_NAME_LENGTH} characters long`);
  }
  throw new ValidationError(field, `must match ${String(HANDLER_NAME_PATTERN)}`);
}

function register(name: string, value: unknown, field: string): RegisteredHandler {
  const { target, options } = unwrap(value);
  if (typeof target !== 'object' || target === null || Array.isArray(target)) {
    throw new ValidationError(field, 'must be a class instance or a plain object of functions');
  }
  const found = ownMethods(target);
  if (found.size === 0) throw new ValidationError(field, 'has no methods that can be registered');
  const schemas = checkSchemas(options.schemas, found, `${field}.schemas`);
  const isolate = options.isolate === undefined ? undefined : checkIsolate(options.isolate, field);
  const methods = new Map<string, ResolvedMethod>();
  for (const [method, fn] of found) {
    const schema = schemas.get(method);
    methods.set(
      method,
      Object.freeze({
        handler: name,
        method,
        call: (params: readonly unknown[]) => Reflect.apply(fn, target, params),
        ...(schema === undefined ? {} : { schema }),
        ...(isolate === undefined ? {} : { isolate }),
      }),
    );
  }
  const info: HandlerInfo = Object.freeze({
    name,
    methods: Object.freeze(
      [...methods.values()].map(({ method, schema }) =>
        Object.freeze({
          name: method,
          hasSchema: schema !== undefined,
          ...(schema ? { schema } : {}),
        }),
      ),
    ),
    ...(isolate === undefined ? {} : { isolate }),
  });
  return { info, methods };
}

function unwrap(value: unknown): { target: unknown; options: HandlerOptions<object> } {
  if (typeof value !== 'object' || value === null) return { target: value, options: {} };
  const mark = Object.getOwnPropertyDescriptor(value, HANDLER_DEFINITION);
  if (mark?.value !== true) return { target: value, options: {} };
  const definition = value as HandlerDefinition<object>;
  return { target: definition.target, options: definition.options };
}

/**
 * The methods of `target` without invoking any getter: its own function-valued properties, then
 * those of its class chain up to (not including) `Object.prototype`. The first property of a
 * name along the chain decides; reserved names such as `constructor` never count.
 */
function ownMethods(target: object): Map<string, Method> {
  const found = new Map<string, Method>();
  const seen = new Set<string>();
  let holder: object | null = target;
  while (holder !== null && holder !== Object.prototype && holder !== Function.prototype) {
    for (const key of Object.getOwnPropertyNames(holder)) {
      if (seen.has(key)) continue;
      seen.add(key);
      const descriptor = Object.getOwnPropertyDescriptor(holder, key);
      if (!isMethodName(key) || descriptor === undefined || !('value' in descriptor)) continue;
      if (typeof descriptor.value === 'function') found.set(key, descriptor.value);
    }
    holder = Object.getPrototypeOf(holder) as object | null;
  }
  return found;
}

function checkSchemas(
  value: unknown,
  methods: ReadonlyMap<string, Method>,
  field: string,
): Map<string, StandardSchemaV1> {
  const schemas = new Map<string, StandardSchemaV1>();
  if (value === undefined) return schemas;
  if (!isPlainObject(value)) throw new ValidationError(field, 'must be an object of schemas');
  for (const method of Object.keys(value)) {
    if (!methods.has(method)) {
      throw new ValidationError(`${field}.${method}`, 'is not a method of this handler');
    }
    const schema = value[method];
    if (!isStandardSchema(schema)) {
      throw new ValidationError(
        `${field}.${method}`,
        'must be a Standard Schema (zod, valibot...)',
      );
    }
    schemas.set(method, schema);
  }
  return schemas;
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props: unknown = (value as { '~standard'?: unknown })['~standard'];
  return (
    typeof props === 'object' &&
    props !== null &&
    typeof (props as { validate?: unknown }).validate === 'function'
  );
}

function checkIsolate(value: unknown, field: string): IsolateOptions {
  if (!isPlainObject(value)) throw new ValidationError(`${field}.isolate`, 'must be an object');
  const module = checkString(value.module, `${field}.isolate.module`, {
    minLength: 1,
    maxLength: 4096,
  });
  if (value.exportName === undefined) return Object.freeze({ module });
  const exportName = checkString(value.exportName, `${field}.isolate.exportName`, {
    minLength: 1,
    maxLength: 200,
    pattern: METHOD_NAME_PATTERN,
  });
  return Object.freeze({ module, exportName });
}
