/** Exit codes of every command. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The operation failed (a job failed, a cancel was refused, the server said no). */
  failed: 1,
  /** The command line or the config was wrong. */
  usage: 2,
  /** The server could not be reached. */
  unreachable: 3,
  /** The person pressed Ctrl-C. */
  interrupted: 130,
} as const;

/** An error that ends a command with a message (no stack) and an exit code. */
export class CliError extends Error {
  readonly exitCode: number;
  /** A line telling what to do about it. */
  readonly hint: string | undefined;

  constructor(message: string, exitCode: number, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** The command line is wrong: a missing argument, an unknown flag, a bad value. Exit 2. */
export class UsageError extends CliError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, EXIT.usage, options);
  }
}

/** The operation failed. Exit 1. */
export class OperationError extends CliError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, EXIT.failed, options);
  }
}

/** The jobs server did not answer. Exit 3. */
export class UnreachableError extends CliError {
  constructor(url: string, reason: string, options: { cause?: unknown } = {}) {
    super(`cannot reach the jobs server at ${url} (${reason})`, EXIT.unreachable, {
      hint: 'start it with `jobs start` (or `jobs serve`), or point --url / JOBS_URL at it',
      ...options,
    });
  }
}

/** The person cancelled (Ctrl-C in a prompt). Exit 130. */
export class InterruptedError extends CliError {
  constructor(message = 'cancelled') {
    super(message, EXIT.interrupted);
  }
}

/** `jobs.config.ts` is broken: names the file, the line and the fix. Exit 2. */
export class ConfigError extends CliError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(
    file: string,
    line: number | undefined,
    problem: string,
    fix: string,
    options: { cause?: unknown; frame?: string } = {},
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    const frame = options.frame === undefined ? '' : `\n${options.frame}`;
    super(`${where}: ${problem}${frame}`, EXIT.usage, {
      hint: fix,
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.file = file;
    this.line = line;
  }
}
