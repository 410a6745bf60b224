import type { DependencyResult, JsonValue } from '@jobs/core';

/**
 * Terminology
 * - isolated handler: one registered with `handler(target, { isolate: { module, exportName } })`;
 *   each attempt runs in a fresh child process forked from `runtime/isolate-runner.mjs`.
 * - runner: that script; it imports `module`, takes the handler object from its export
 *   `exportName` (default: the default export) and calls the method with the params.
 */

/** What the worker sends the runner: the one call to make. */
export interface RunMessage {
  readonly type: 'run';
  readonly module: string;
  readonly exportName?: string;
  readonly method: string;
  readonly params: readonly JsonValue[];
  /** Where relative module paths and package names are resolved from. */
  readonly cwd: string;
  readonly job: {
    readonly id: string;
    readonly attempt: number;
    readonly queue: string;
    readonly handler: string;
    readonly method: string;
    /** The dependencies' results, read by the worker before forking (`parents()`). */
    readonly parents: readonly DependencyResult[];
  };
}

/** What the runner sends back. */
export type RunnerMessage =
  | { readonly type: 'result'; readonly value: JsonValue | null }
  | {
      readonly type: 'error';
      readonly isError: true;
      readonly error: { readonly name: string; readonly message: string; readonly stack: string };
    }
  | { readonly type: 'error'; readonly isError: false; readonly value?: JsonValue }
  | { readonly type: 'progress'; readonly value: unknown }
  | { readonly type: 'log'; readonly line: string };

/** True when `value` looks like a message from the runner. */
export function isRunnerMessage(value: unknown): value is RunnerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'result' || type === 'error' || type === 'progress' || type === 'log';
}

/** Rebuilds what the handler threw in the child, for the worker's error entry. */
export function thrownFromRunner(message: Extract<RunnerMessage, { type: 'error' }>): unknown {
  if (!message.isError) return message.value;
  const error = new Error(message.error.message);
  error.name = message.error.name;
  error.stack =
    message.error.stack === '' ? `${error.name}: ${error.message}` : message.error.stack;
  return error;
}
