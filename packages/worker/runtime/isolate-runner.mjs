// Runs one isolated handler call in a child process forked by @jobs/worker (src/isolate/).
// Plain JavaScript so it runs as shipped, without a build step. Protocol (IPC, JSON):
//   parent -> child: { type: 'run', module, exportName, method, params, cwd, job }
//   child -> parent: { type: 'result', value } | { type: 'error', isError, error | value }
//                    | { type: 'progress', value } | { type: 'log', line }
// The module's export `exportName` (default: the default export) is the handler object; the
// parent has already checked the method against its allow-list. The runner exits once it has
// answered; the parent kills it (SIGTERM, then SIGKILL) on cancel or timeout.
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CONTEXT_KEY = Symbol.for('@jobs/worker.isolated-context');
const RESERVED = new Set([
  'constructor',
  'prototype',
  '__proto__',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

// The worker went away: nobody is waiting for an answer.
process.on('disconnect', () => process.exit(0));
process.once('message', (message) => {
  run(message).then(
    (value) => answer({ type: 'result', value: toJson(value) }),
    (thrown) => answer({ type: 'error', ...describeThrown(thrown) }),
  );
});

function answer(message) {
  if (!process.connected) process.exit(0);
  process.send(message, () => process.exit(0));
}

async function run(message) {
  const { module, exportName, method, params, cwd, job } = message;
  const loaded = await load(module, cwd);
  const name = exportName ?? 'default';
  const target = loaded[name];
  if (typeof target !== 'object' || target === null) {
    throw new Error(`isolated module "${module}" has no handler object in export "${name}"`);
  }
  const fn = target[method];
  if (RESERVED.has(method) || typeof fn !== 'function') {
    throw new Error(`isolated module "${module}" export "${name}" has no method "${method}"`);
  }
  const controller = new AbortController();
  // SIGTERM aborts the signal; a handler that ignores it is killed with SIGKILL by the parent.
  process.once('SIGTERM', () => controller.abort(new Error('the job was stopped')));
  globalThis[CONTEXT_KEY] = Object.freeze({
    id: job.id,
    attempt: job.attempt,
    queue: job.queue,
    handler: job.handler,
    method: job.method,
    signal: controller.signal,
    progress: (value) => process.send?.({ type: 'progress', value }),
    log: (line) => process.send?.({ type: 'log', line: String(line) }),
    parents: () => Promise.resolve(job.parents ?? []),
  });
  return await Reflect.apply(fn, target, params);
}

async function load(specifier, cwd) {
  if (specifier.startsWith('file:')) return import(specifier);
  if (isAbsolute(specifier) || specifier.startsWith('.')) {
    return import(pathToFileURL(resolve(cwd, specifier)).href);
  }
  // A package name: resolve it from the worker's working directory, as the application would.
  let resolved;
  try {
    resolved = pathToFileURL(createRequire(resolve(cwd, 'index.js')).resolve(specifier)).href;
  } catch {
    resolved = specifier;
  }
  return import(resolved);
}

function toJson(value) {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

function describeThrown(thrown) {
  if (
    thrown instanceof Error ||
    (typeof thrown?.message === 'string' && typeof thrown?.name === 'string')
  ) {
    return {
      isError: true,
      error: {
        name: String(thrown.name),
        message: String(thrown.message),
        stack: String(thrown.stack ?? ''),
      },
    };
  }
  let value;
  try {
    value = thrown === undefined ? undefined : (toJson(thrown) ?? String(thrown));
  } catch {
    value = Object.prototype.toString.call(thrown);
  }
  return { isError: false, value };
}
