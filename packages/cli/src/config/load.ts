import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ScheduleSpec } from '@jobs/core';
import { ConfigError, UsageError } from '../cli/errors.js';
import type { JobsConfig } from './define.js';
import { checkConfigSchedules } from './schedules.js';
import { type ConfigProblem, checkConfigShape } from './validate.js';

/** File names looked for in the working directory, in order. */
export const CONFIG_FILE_NAMES = [
  'jobs.config.ts',
  'jobs.config.mts',
  'jobs.config.js',
  'jobs.config.mjs',
] as const;

/** A loaded config and the file it came from. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: JobsConfig;
  /** Its `schedules`, checked against its handlers. */
  readonly schedules: readonly ScheduleSpec[];
}

/** The config file to use: `--config` (must exist), else the first of CONFIG_FILE_NAMES in `cwd`. */
export function findConfigFile(given: string | undefined, cwd: string): string | undefined {
  if (given !== undefined) {
    const file = resolve(cwd, given);
    if (!existsSync(file)) {
      throw new UsageError(`--config ${given}: no such file (${file})`);
    }
    return file;
  }
  for (const name of CONFIG_FILE_NAMES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

let tsxRegistered = false;

/** Lets `import()` load TypeScript for the rest of the process (tsx's hooks, one module graph). */
async function registerTypeScript(): Promise<void> {
  if (tsxRegistered) return;
  const { register } = await import('tsx/esm/api');
  register();
  tsxRegistered = true;
}

/** The `--import` argument that lets a child process (an isolated handler) load TypeScript. */
export function typeScriptImportArgs(): string[] {
  return ['--import', import.meta.resolve('tsx/esm')];
}

/**
 * Imports `file` as TypeScript and checks its default export. Every failure is a ConfigError
 * naming the file, the line and the fix.
 */
export async function loadConfig(file: string, cwd: string): Promise<LoadedConfig> {
  await registerTypeScript();
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw describeLoadError(error, file, cwd);
  }
  const refuse = (problem: ConfigProblem) => {
    const line = lineOfKey(file, problem.key);
    return new ConfigError(shown(file, cwd), line, problem.problem, problem.fix, {
      ...frameAt(file, line),
    });
  };
  const problem = checkConfigShape(loaded.default);
  if (problem !== null) throw refuse(problem);
  const config = loaded.default as JobsConfig;
  const checked = await checkConfigSchedules(config.schedules, config.handlers);
  if ('problem' in checked) throw refuse(checked.problem);
  return { file, config, schedules: checked.specs };
}

/** A path as people read it: relative to the working directory when inside it. */
function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') || rel === '' ? file : rel;
}

/** Turns whatever importing the config threw into a ConfigError. */
function describeLoadError(error: unknown, file: string, cwd: string): ConfigError {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const code = (error as { code?: unknown } | null)?.code;

  // esbuild: "/path/file.ts:3:16: ERROR: Unexpected ","".
  const syntax = /^(\/.+?|[A-Za-z]:\\.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (syntax !== null) {
    const [, at = file, line, zeroBasedColumn, what = ''] = syntax;
    const column = Number(zeroBasedColumn) + 1;
    return new ConfigError(
      shown(at, cwd),
      Number(line),
      `syntax error: ${what}`,
      `correct the TypeScript at line ${line}, column ${column}`,
      { cause: error, ...frameAt(at, Number(line), column) },
    );
  }

  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
    const found = /Cannot find (package|module) '([^']+)' imported from (.+)$/m.exec(message);
    const importer = found?.[3] === undefined ? file : toPath(found[3].trim());
    const missing = found?.[2] ?? '';
    const line = missing === '' ? undefined : lineContaining(importer, missing);
    const isPackage = found?.[1] === 'package';
    return new ConfigError(
      shown(importer, cwd),
      line,
      `cannot import ${isPackage ? 'package' : 'module'} "${missing || message}"`,
      isPackage
        ? `install it (pnpm add ${packageName(missing)}) or fix the import`
        : 'check the path of that import (TypeScript files are imported with their .ts or .js extension)',
      { cause: error, ...frameAt(importer, line) },
    );
  }

  // Node's linker: "file:///path/file.ts:1" heads the stack of a missing named export.
  const linked = /^(file:\/\/\S+?):(\d+)$/m.exec(stack);
  if (error instanceof SyntaxError && linked !== null) {
    const at = toPath(linked[1] ?? '');
    const line = Number(linked[2]);
    return new ConfigError(
      shown(at, cwd),
      line,
      message,
      'check the names imported on that line against what the module exports',
      { cause: error, ...frameAt(at, line) },
    );
  }

  // Thrown while the config ran: point at the deepest frame in the user's own files.
  const frame = userFrame(stack, file);
  const name = error instanceof Error ? error.name : 'Error';
  return new ConfigError(
    shown(frame?.file ?? file, cwd),
    frame?.line,
    `${name}: ${message}`,
    fixFor(error),
    { cause: error, ...(frame === undefined ? {} : frameAt(frame.file, frame.line, frame.column)) },
  );
}

function fixFor(error: unknown): string {
  const field = (error as { field?: unknown } | null)?.field;
  if (typeof field === 'string' && field.startsWith('handlers')) {
    return 'name handlers with identifiers joined by \\, . or / (App\\Services\\SomeClass), and give each at least one method';
  }
  return 'fix the code at that line: it throws while the config loads';
}

interface Frame {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The first stack frame in the config file, else the first outside node_modules and node:. */
function userFrame(stack: string, configFile: string): Frame | undefined {
  const frames: Frame[] = [];
  for (const match of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)\)?$/gm)) {
    const file = toPath(match[1] ?? '');
    frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return (
    frames.find((f) => f.file === configFile) ??
    frames.find((f) => !f.file.includes('/node_modules/') && !f.file.includes('/dist/'))
  );
}

function toPath(location: string): string {
  return location.startsWith('file:')
    ? fileURLToPath(location.split('?')[0] ?? location)
    : location;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return [];
  }
}

function lineContaining(file: string, text: string): number | undefined {
  const index = readLines(file).findIndex((line) => line.includes(text));
  return index < 0 ? undefined : index + 1;
}

/** The line where a dotted config key is written (its last part followed by `:`). */
function lineOfKey(file: string, key: string): number | undefined {
  const lines = readLines(file);
  const find = (pattern: RegExp) => {
    const index = lines.findIndex((line) => pattern.test(line));
    return index < 0 ? undefined : index + 1;
  };
  const last = key.split('.').at(-1) ?? key;
  const escaped = last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (
    (key === 'default' ? undefined : find(new RegExp(`(^|[\\s{,'"])${escaped}['"]?\\s*[:,}]`))) ??
    find(/defineConfig\s*\(/) ??
    find(/export\s+default/)
  );
}

/** A code frame: the line, and a caret under the column when known. */
function frameAt(file: string, line: number | undefined, column?: number): { frame?: string } {
  if (line === undefined) return {};
  const text = readLines(file)[line - 1];
  if (text === undefined) return {};
  const gutter = `  ${line} | `;
  const caret =
    column === undefined
      ? ''
      : `\n${' '.repeat(gutter.length - 2)}| ${' '.repeat(Math.max(0, column - 1))}^`;
  return { frame: `${gutter}${text}${caret}` };
}
