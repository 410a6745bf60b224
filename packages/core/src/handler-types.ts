import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Arity } from './parameters.js';

/**
 * Terminology
 * - handler: a named object (a class instance or a plain object of functions) on the allow-list.
 * - method: a function the application declares on a handler (see `declaredMethods`), or one
 *   named by the handler's `methods` option; only these can be enqueued or run.
 * - registry: the allow-list itself, built once by `defineHandlers`.
 */

/** Names inherited from `Object.prototype`, plus `constructor` and `prototype`: never methods. */
export type ReservedName =
  | 'constructor'
  | 'prototype'
  | '__proto__'
  | 'toString'
  | 'toLocaleString'
  | 'valueOf'
  | 'hasOwnProperty'
  | 'isPrototypeOf'
  | 'propertyIsEnumerable'
  | '__defineGetter__'
  | '__defineSetter__'
  | '__lookupGetter__'
  | '__lookupSetter__';

/** Any function at all (parameters are checked elsewhere). */
type AnyFunction = (...args: never) => unknown;

/** The string keys of `T` whose values are functions, minus the reserved names. */
export type MethodName<T> = {
  [K in keyof T & string]: K extends ReservedName ? never : T[K] extends AnyFunction ? K : never;
}[keyof T & string];

/** The parameters of method `M` of `T`, as a tuple. */
export type MethodParams<T, M extends MethodName<T>> = T[M & keyof T] extends (
  ...args: infer P
) => unknown
  ? P
  : never;

/** The handler names of a registry's handler map. */
export type HandlerName<T> = keyof T & string;

/** Run this handler in a child process that imports it from `module` (default export unless named). */
export interface IsolateOptions {
  /** Module specifier or file path the child process imports. */
  readonly module: string;
  /** The export holding the handler object (default `default`). */
  readonly exportName?: string;
}

/** Per-method Standard Schemas (zod, valibot, ...) whose output must fit the method's parameters. */
export type HandlerSchemas<T, M extends MethodName<T> = MethodName<T>> = {
  readonly [K in M]?: StandardSchemaV1<unknown, MethodParams<T, K>>;
};

/** Options attached to a handler with `handler(target, options)`; `M` are the methods that run. */
export interface HandlerOptions<T, M extends MethodName<T> = MethodName<T>> {
  /**
   * The only methods that may run (default: every method the application declares, see
   * `declaredMethods`); each must be one of those. Keeps TypeScript `private` helpers out.
   */
  readonly methods?: readonly M[];
  /** Run-time validation of params, per method. */
  readonly schemas?: HandlerSchemas<T, NoInfer<M>>;
  /** Run the handler in a child process. */
  readonly isolate?: IsolateOptions;
}

/** Marks a `handler(...)` wrapper, shared across copies of this package. */
export const HANDLER_DEFINITION: unique symbol = Symbol.for('@jobs/core.handler');

/** A handler object with options attached; `defineHandlers` sees through it to `target`. */
export interface HandlerDefinition<T extends object, M extends MethodName<T> = MethodName<T>> {
  readonly [HANDLER_DEFINITION]: true;
  /** The handler object itself. */
  readonly target: T;
  /** Its methods, schemas and isolation. */
  readonly options: HandlerOptions<T, M>;
}

/**
 * The handler map a `defineHandlers` argument stands for, with `handler(...)` wrappers removed;
 * a handler given `methods` is narrowed to those methods.
 */
export type HandlerTargets<D> = {
  [K in keyof D]: D[K] extends HandlerDefinition<infer T, infer M>
    ? [MethodName<T>] extends [M]
      ? T
      : Pick<T, M & keyof T>
    : D[K];
};

/** A method found on the allow-list, bound to its handler. */
export interface ResolvedMethod {
  readonly handler: string;
  readonly method: string;
  /** Calls the method on its handler with `params` as the arguments. */
  call(params: readonly unknown[]): unknown;
  /** Validates params arriving untyped, when the method has a schema. */
  readonly schema?: StandardSchemaV1;
  /** How many arguments it takes: checked when it has no schema (the schema decides otherwise). */
  readonly arity: Arity;
  /** Where to load the handler when it must run in a child process. */
  readonly isolate?: IsolateOptions;
}

/** One method in `registry.list()`. */
export interface MethodInfo {
  readonly name: string;
  readonly hasSchema: boolean;
  readonly schema?: StandardSchemaV1;
  /** How many arguments it takes, read from its declaration (see `readArity`). */
  readonly arity: Arity;
}

/** One handler in `registry.list()`. */
export interface HandlerInfo {
  readonly name: string;
  readonly methods: readonly MethodInfo[];
  readonly isolate?: IsolateOptions;
}

/** The allow-list of handlers and their methods; `T` maps names to handler objects for types. */
export interface HandlerRegistry<T = Record<string, object>> {
  /** Carries `T` for the client's types; always absent at run time. */
  readonly '~types'?: T;
  /** The method, bound to its handler; throws UnknownHandlerError when not on the allow-list. */
  resolve(handler: string, method: string): ResolvedMethod;
  /** Every handler with its methods, in definition order. */
  list(): readonly HandlerInfo[];
}
