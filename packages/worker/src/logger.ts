/** Extra structured fields of a log entry. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where the daemon reports about itself (not about jobs: those go to the log files). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Severity of a log entry. */
export type LogLevel = keyof Logger;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * A logger writing one JSON object per line (`{"time","level","msg",...fields}`) with a single
 * write each, to stdout unless told otherwise; entries below `level` are dropped.
 */
export function createJsonLogger(
  options: {
    readonly level?: LogLevel;
    readonly write?: (line: string) => void;
    readonly now?: () => Date;
    readonly base?: LogFields;
  } = {},
): Logger {
  const {
    level = 'info',
    write = (line) => process.stdout.write(line),
    now = () => new Date(),
    base = {},
  } = options;
  const min = LEVELS.indexOf(level);
  const log =
    (entryLevel: LogLevel) =>
    (message: string, fields: LogFields = {}): void => {
      if (LEVELS.indexOf(entryLevel) < min) return;
      const entry = {
        time: now().toISOString(),
        level: entryLevel,
        msg: message,
        ...base,
        ...fields,
      };
      write(`${safeJson(entry)}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});

function safeJson(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) => {
      if (value instanceof Error) return { name: value.name, message: value.message };
      return typeof value === 'bigint' ? value.toString() : value;
    });
  } catch {
    return JSON.stringify({ time: entry.time, level: entry.level, msg: entry.msg });
  }
}
