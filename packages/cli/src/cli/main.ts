import { readFileSync } from 'node:fs';
import { cancelCommand } from '../commands/cancel.js';
import { migrateCommand, serveCommand, startCommand, workerCommand } from '../commands/daemons.js';
import { flowCommand } from '../commands/flow.js';
import { listCommand } from '../commands/list.js';
import { logsCommand } from '../commands/logs.js';
import { pruneCommand } from '../commands/prune.js';
import { queuesCommand } from '../commands/queues.js';
import { retentionCommand } from '../commands/retention.js';
import { retryCommand } from '../commands/retry.js';
import { runCommand } from '../commands/run.js';
import { schedulesCommand } from '../commands/schedules.js';
import { showCommand } from '../commands/show.js';
import { statsCommand } from '../commands/stats.js';
import type { Command, CommandContext } from './command.js';
import { CliError, EXIT, InterruptedError, UsageError } from './errors.js';
import { commandHelp, mainHelp } from './help.js';
import { dim, red } from './output.js';
import { parseCommandArgs } from './parse.js';

/** Every command, in the order `jobs --help` lists them. */
export const COMMANDS: readonly Command[] = [
  startCommand,
  workerCommand,
  serveCommand,
  migrateCommand,
  runCommand,
  flowCommand,
  listCommand,
  showCommand,
  cancelCommand,
  retryCommand,
  statsCommand,
  logsCommand,
  queuesCommand,
  schedulesCommand,
  retentionCommand,
  pruneCommand,
];

function version(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Streams and environment of a run of the CLI. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
}

/** Runs the CLI with `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = COMMANDS.find((c) => c.name === topic);
    io.stdout.write(command === undefined ? mainHelp(COMMANDS, version()) : commandHelp(command));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (command === undefined) {
      const hint = name.startsWith('-') ? 'options go after the command' : 'see `jobs --help`';
      throw new UsageError(`unknown command "${name}"`, { hint });
    }
    const { values, positionals } = parseCommandArgs(command, rest);
    if (values.help === true) {
      io.stdout.write(commandHelp(command));
      return EXIT.ok;
    }
    const context: CommandContext = { values, positionals, ...io };
    return await command.run(context);
  } catch (error) {
    return report(error, io);
  }
}

/** Prints an error without a stack (unless JOBS_DEBUG is set) and returns its exit code. */
function report(error: unknown, io: CliIo): number {
  if (error instanceof InterruptedError) return error.exitCode;
  if (error instanceof CliError) {
    io.stderr.write(`${red('error:')} ${error.message}\n`);
    if (error.hint !== undefined) io.stderr.write(`${dim('hint:')} ${error.hint}\n`);
    if (io.env.JOBS_DEBUG && error.cause instanceof Error)
      io.stderr.write(`${error.cause.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${red('error:')} ${message}\n`);
  if (io.env.JOBS_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
  else io.stderr.write(`${dim('(JOBS_DEBUG=1 shows the stack)')}\n`);
  return EXIT.failed;
}
