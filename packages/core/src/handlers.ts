import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type DeclaredMethod, declaredMethods } from './declared-methods.js';
import { UnknownHandlerError, ValidationError } from './errors.js';
import {
  HANDLER_DEFINITION,
  type HandlerDefinition,
  type HandlerInfo,
  type HandlerOptions,
  type HandlerRegistry,
  type HandlerTargets,
  type IsolateOptions,
  type MethodName,
  type ResolvedMethod,
} from './handler-types.js';
import {
  HANDLER_NAME_PATTERN,
  isHandlerName,
  isReservedName,
  MAX_HANDLER_NAME_LENGTH,
  METHOD_NAME_PATTERN,
} from './names.js';
import { readArity, UNKNOWN_ARITY } from './parameters.js';
import { checkString, isPlainObject } from './validate.js';

interface RegisteredHandler {
  readonly info: HandlerInfo;
  readonly methods: ReadonlyMap<string, ResolvedMethod>;
}

/**
 * Attaches options to a handler object, for `defineHandlers`: `methods` names the only methods
 * that may run (and narrows the client's types to them), `schemas` validate params per method,
 * `isolate` runs it in a child process. Options are checked by `defineHandlers`.
 */
export function handler<T extends object, const M extends MethodName<T> = MethodName<T>>(
  target: T,
  options: HandlerOptions<NoInfer<T>, M> = {},
): HandlerDefinition<T, M> {
  return Object.freeze({ [HANDLER_DEFINITION]: true as const, target, options });
}

/**
 * Builds the allow-list from named handler objects (class instances or plain objects of
 * functions, optionally wrapped by `handler`): each handler's methods are those `declaredMethods`
 * admits (the rule), or exactly those its `methods` option names. Throws ValidationError for a
 * bad name, handler or option.
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
  const declared = declaredMethods(target);
  if (declared.size === 0) {
    throw new ValidationError(field, 'has no methods that can be registered');
  }
  const found = chooseMethods(options.methods, declared, `${field}.methods`);
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
        // An isolated handler's code runs from its module; the object registered here may be a
        // stub naming its methods, so its count is not known in this process.
        arity: isolate === undefined ? Object.freeze(readArity(fn)) : UNKNOWN_ARITY,
        ...(schema === undefined ? {} : { schema }),
        ...(isolate === undefined ? {} : { isolate }),
      }),
    );
  }
  const info: HandlerInfo = Object.freeze({
    name,
    methods: Object.freeze(
      [...methods.values()].map(({ method, schema, arity }) =>
        Object.freeze({
          name: method,
          hasSchema: schema !== undefined,
          ...(schema ? { schema } : {}),
          arity,
        }),
      ),
    ),
    ...(isolate === undefined ? {} : { isolate }),
  });
  return { info, methods };
}

/** The methods named by `handler(target, { methods })`, or every declared one when not given. */
function chooseMethods(
  value: unknown,
  declared: ReadonlyMap<string, DeclaredMethod>,
  field: string,
): ReadonlyMap<string, DeclaredMethod> {
  if (value === undefined) return declared;
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(field, 'must be a non-empty array of method names');
  }
  const chosen = new Map<string, DeclaredMethod>();
  for (let index = 0; index < value.length; index++) {
    const name: unknown = value[index];
    const at = `${field}.${index}`;
    if (typeof name !== 'string') throw new ValidationError(at, 'must be a method name');
    const fn = declared.get(name);
    if (fn === undefined) {
      throw new ValidationError(
        at,
        `"${name}" is not a method this handler declares (it must be a function of the object ` +
          'or of its own classes; built-in methods, getters and reserved names never are)',
      );
    }
    if (chosen.has(name)) throw new ValidationError(at, `"${name}" is listed twice`);
    chosen.set(name, fn);
  }
  return chosen;
}

function unwrap(value: unknown): { target: unknown; options: HandlerOptions<object> } {
  if (typeof value !== 'object' || value === null) return { target: value, options: {} };
  const mark = Object.getOwnPropertyDescriptor(value, HANDLER_DEFINITION);
  if (mark?.value !== true) return { target: value, options: {} };
  const definition = value as HandlerDefinition<object>;
  return { target: definition.target, options: definition.options };
}

function checkSchemas(
  value: unknown,
  methods: ReadonlyMap<string, DeclaredMethod>,
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
