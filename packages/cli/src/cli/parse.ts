import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './errors.js';

/** Flags and positionals of one command line. */
export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** Parses `args` against the command's flags; unknown flags and bad values are UsageErrors. */
export function parseCommandArgs(command: Command, args: readonly string[]): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(command, args),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(cleanParseMessage(message), {
        hint: `see \`jobs ${command.name} --help\``,
      });
    }
    throw error;
  }
}

/** A value that starts with a dash but is a number (`-5`, `-0.5`, `-.5`), not a flag. */
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * `args` with each value-taking flag followed by a negative number joined to it (`--delay -5`
 * becomes `--delay=-5`, `-d -5` too), so that the flag's own check answers with its range rather
 * than Node's parser calling the argument ambiguous. Nothing after `--` is touched.
 */
export function joinNegativeValues(command: Command, args: readonly string[]): string[] {
  const takesValue = new Map<string, string>();
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.type !== 'string') continue;
    takesValue.set(`--${name}`, name);
    if (spec.short !== undefined) takesValue.set(`-${spec.short}`, name);
  }
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      out.push(...args.slice(index));
      break;
    }
    const name = takesValue.get(arg);
    const next = args[index + 1];
    if (name !== undefined && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`--${name}=${next}`);
      index++;
    } else out.push(arg);
  }
  return out;
}

/** Node's messages, shortened: "Unknown option '--foo'. To specify a positional..." */
function cleanParseMessage(message: string): string {
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown !== null) return `unknown option ${unknown[1]}`;
  const missing = /^Option '([^']+)' argument missing/.exec(message);
  if (missing !== null) return `option ${missing[1]} needs a value`;
  return message.split('. ')[0]?.replace(/\.$/, '') ?? message;
}

/** An integer flag within bounds; UsageError naming the flag otherwise. */
export function intFlag(
  value: unknown,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const number = Number(text);
  if (!/^-?\d+$/.test(text) || number < min || number > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return number;
}

/** A number-of-seconds flag (fractions allowed) within bounds. */
export function secondsFlag(
  value: unknown,
  flag: string,
  max: number,
  positive = false,
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const number = Number(text);
  if (
    text === '' ||
    !Number.isFinite(number) ||
    number < 0 ||
    number > max ||
    (positive && number === 0)
  ) {
    throw new UsageError(
      `--${flag} must be a number of seconds ${positive ? 'above 0' : 'from 0'} up to ${max}, not "${text}"`,
    );
  }
  return number;
}

/** A string flag's value, or undefined. */
export function stringFlag(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A comma-separated list flag. */
export function listFlag(value: unknown): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length === 0 ? undefined : items;
}
