import type { Env } from '../config/settings.js';

/** One flag of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** Placeholder shown in help (`--priority <n>`). */
  readonly value?: string;
  readonly description: string;
}

/** What a command runs with. */
export interface CommandContext {
  /** Flags, as parsed (strings and booleans). */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  readonly env: Env;
  readonly cwd: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/** A `jobs` command: its help and how it runs. Returns the exit code. */
export interface Command {
  /** `run`, or `queues pause` for a subcommand. */
  readonly name: string;
  /** One line for `jobs --help`. */
  readonly summary: string;
  /** The usage line after `jobs `, e.g. `run <handler> <method> [params-json] [options]`. */
  readonly usage: string;
  /** More about it, shown by `jobs <command> --help`. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Each a command line and what it does. */
  readonly examples: readonly (readonly [string, string])[];
  run(context: CommandContext): Promise<number>;
}

/** Flags shared by the commands that talk to the API. */
export const CLIENT_OPTIONS = {
  url: {
    type: 'string',
    value: 'url',
    description: 'API address (default: JOBS_URL, the config, http://127.0.0.1:$PORT)',
  },
  config: {
    type: 'string',
    value: 'file',
    description: 'config file to read the API address from (default ./jobs.config.ts)',
  },
} as const satisfies Record<string, OptionSpec>;

/** `--json`: machine-readable output. */
export const JSON_OPTION = {
  json: { type: 'boolean', description: 'print JSON instead of a table' },
} as const satisfies Record<string, OptionSpec>;

/** Flags shared by the daemons. */
export const DAEMON_OPTIONS = {
  config: {
    type: 'string',
    value: 'file',
    description: 'the config file (default ./jobs.config.ts)',
  },
} as const satisfies Record<string, OptionSpec>;
