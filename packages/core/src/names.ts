/** What a handler name looks like: identifiers joined by `\`, `.` or `/` (`App\Services\Mailer`). */
export const HANDLER_NAME_PATTERN = /^[A-Za-z_$][\w$]*(?:[\\./][A-Za-z_$][\w$]*)*$/;

/** Longest handler name accepted. */
export const MAX_HANDLER_NAME_LENGTH = 200;

/** What a method name looks like: one JavaScript identifier. */
export const METHOD_NAME_PATTERN = /^[A-Za-z_$][\w$]*$/;

/** Longest method name accepted. */
export const MAX_METHOD_NAME_LENGTH = 100;

/** Names every object inherits or that reach into prototypes; never a handler or method name. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'constructor',
  'prototype',
  '__proto__',
]);

/** True when `name` is one of the prototype members that can never be registered or called. */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

/** True when `name` may name a handler. */
export function isHandlerName(name: unknown): boolean {
  return (
    typeof name === 'string' &&
    name.length <= MAX_HANDLER_NAME_LENGTH &&
    HANDLER_NAME_PATTERN.test(name) &&
    !isReservedName(name)
  );
}

/** True when `name` may name a handler's method. */
export function isMethodName(name: unknown): boolean {
  return (
    typeof name === 'string' &&
    name.length <= MAX_METHOD_NAME_LENGTH &&
    METHOD_NAME_PATTERN.test(name) &&
    !isReservedName(name)
  );
}
