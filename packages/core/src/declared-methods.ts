import { isMethodName } from './names.js';

/**
 * Terminology
 * - declared method: a method the application itself wrote; the only kind the allow-list admits.
 * - platform prototype: the prototype of a class the JavaScript engine or Node.js provides.
 */

/** Any function found on a handler. */
export type DeclaredMethod = (...args: unknown[]) => unknown;

/**
 * The allow-list rule: the methods of `target` that the application declares, found without
 * invoking any getter. A method may run only if it is
 * - an own function-valued property of the handler object, or
 * - a function-valued property of a prototype in the handler's chain, walked upward from the
 *   object and stopped at the first platform prototype: it and every prototype above it are
 *   skipped, so nothing inherited from Object, Array, Map, Set, Error, Promise, EventEmitter,
 *   streams or any other built-in or `node:` class can run (an application class that overrides
 *   such a method, `emit` say, declares it and is admitted).
 *
 * A prototype belongs to the platform when its own `constructor` is a native function
 * (`Function.prototype.toString` gives `{ [native code] }`: every engine built-in, and bound
 * functions and proxies, which fail closed), or when it is the prototype of a class exported by
 * a `node:` module or by `globalThis`, or an ancestor of one (EventEmitter, Readable, Socket,
 * Server, ChildProcess, Worker, EventTarget, URL, Buffer, Headers...: Node.js writes these in
 * JavaScript, so they are not native).
 *
 * Getters and setters, symbol keys, `constructor` and the other reserved names, and names
 * failing METHOD_NAME_PATTERN are never methods. The first property of a name along the chain
 * decides: an own non-function value hides a method of that name on the class. Classes from npm
 * packages are not told apart from the application's own; `handler(target, { methods })` names
 * exactly which methods may run, and TypeScript `private` methods (unlike `#private` ones) are
 * ordinary prototype methods at run time, so only `methods` keeps them out.
 */
export function declaredMethods(target: object): Map<string, DeclaredMethod> {
  const found = new Map<string, DeclaredMethod>();
  const seen = new Set<string>();
  let holder: object | null = target;
  while (holder !== null && !isPlatformPrototype(holder)) {
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

const functionToString = Function.prototype.toString;
const NATIVE_SOURCE = /\{\s*\[native code\]\s*\}\s*$/;

/** True when `fn` is provided by the engine (or is a bound function or a proxy). */
export function isNativeFunction(fn: unknown): boolean {
  if (typeof fn !== 'function') return false;
  try {
    return NATIVE_SOURCE.test(Reflect.apply(functionToString, fn, []) as string);
  } catch {
    return true;
  }
}

/** True when `holder` is the prototype of a built-in or `node:` class, so the walk stops there. */
export function isPlatformPrototype(holder: object): boolean {
  if (holder === Object.prototype || holder === Function.prototype) return true;
  if (platformPrototypes().has(holder)) return true;
  const descriptor = Object.getOwnPropertyDescriptor(holder, 'constructor');
  if (descriptor === undefined || !('value' in descriptor)) return false;
  const ctor: unknown = descriptor.value;
  return typeof ctor === 'function' && ctor.prototype === holder && isNativeFunction(ctor);
}

/** The `node:` modules whose exported classes are scanned. */
export const SCANNED_NODE_MODULES: readonly string[] = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'inspector',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'querystring',
  'readline',
  'readline/promises',
  'repl',
  'stream',
  'stream/web',
  'string_decoder',
  'timers',
  'tls',
  'trace_events',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

/**
 * Modules whose loading changes the whole process: `repl` loads `domain`, which routes every
 * event emitter's `emit` through its own from then on. Each is scanned only once something in
 * the process has loaded it (it or one of its internal modules): an object whose chain holds
 * one of its classes exists only after that.
 */
const SCANNED_ONCE_LOADED: ReadonlySet<string> = new Set(['repl']);

type BuiltinLoader = (id: string) => unknown;

interface NodeProcess {
  readonly getBuiltinModule?: BuiltinLoader;
  /** Node.js's list of the modules it loaded so far ("NativeModule fs", ...), growing only. */
  readonly moduleLoadList?: readonly string[];
}

let scanned: WeakSet<object> | undefined;
/** Whether `scanned` left out a module of SCANNED_ONCE_LOADED, not loaded at the time. */
let leftOut = false;
/** The length of `moduleLoadList` when `scanned` was computed. */
let scannedAtModules = -1;

/**
 * The prototypes (and their ancestors) of every class whose name starts with a capital letter
 * among the exports of SCANNED_NODE_MODULES and the properties of `globalThis`. Computed on
 * first use, and again when Node.js has loaded more modules since, while a module of
 * SCANNED_ONCE_LOADED was left out. Where Node.js keeps no list of loaded modules, every module
 * is loaded; outside Node.js (no `process.getBuiltinModule`) only `globalThis` is scanned.
 */
function platformPrototypes(): WeakSet<object> {
  const nodeProcess = (globalThis as { process?: NodeProcess }).process;
  const loaded = nodeProcess?.moduleLoadList;
  if (scanned !== undefined && (!leftOut || loaded?.length === scannedAtModules)) {
    return scanned;
  }
  const found = new WeakSet<object>();
  leftOut = false;
  const load = nodeProcess?.getBuiltinModule;
  if (typeof load === 'function') {
    for (const id of SCANNED_NODE_MODULES) {
      if (SCANNED_ONCE_LOADED.has(id) && loaded !== undefined && !isLoaded(loaded, id)) {
        leftOut = true;
        continue;
      }
      let namespace: unknown;
      try {
        namespace = Reflect.apply(load, undefined, [`node:${id}`]);
      } catch {
        continue;
      }
      if (typeof namespace === 'object' || typeof namespace === 'function') {
        addClasses(namespace, found);
      }
    }
  }
  addClasses(globalThis, found);
  scanned = found;
  // Reading the globals may itself load modules (lazy ones such as Headers): counted after.
  scannedAtModules = loaded?.length ?? -1;
  return found;
}

/** True when Node.js has loaded `node:id` or one of its internal modules. */
function isLoaded(loaded: readonly string[], id: string): boolean {
  const own = `NativeModule ${id}`;
  const internal = `NativeModule internal/${id}/`;
  return loaded.some((name) => name === own || name.startsWith(internal));
}

function addClasses(namespace: object | null, found: WeakSet<object>): void {
  if (namespace === null) return;
  for (const key of Object.getOwnPropertyNames(namespace)) {
    if (!/^[A-Z]/.test(key)) continue;
    let value: unknown;
    try {
      value = (namespace as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof value !== 'function') continue;
    let proto: unknown = (value as { prototype?: unknown }).prototype;
    while (typeof proto === 'object' && proto !== null && proto !== Object.prototype) {
      found.add(proto);
      proto = Object.getPrototypeOf(proto);
    }
  }
}
