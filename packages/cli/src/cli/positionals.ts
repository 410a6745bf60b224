import type { CommandContext } from './command.js';
import { UsageError } from './errors.js';

/** The job ids given as arguments (at least one, each a positive whole number), without repeats. */
export function expectIds(context: CommandContext, command: string): string[] {
  if (context.positionals.length === 0) {
    throw new UsageError('missing argument <id>', { hint: `see \`jobs ${command} --help\`` });
  }
  for (const id of context.positionals) {
    if (!/^[1-9]\d{0,18}$/.test(id)) {
      throw new UsageError(`"${id}" is not a job id (a positive whole number)`);
    }
  }
  return [...new Set(context.positionals)];
}

/** Refuses any argument: for commands that take flags only. */
export function noPositionals(context: Pick<CommandContext, 'positionals'>, command: string): void {
  if (context.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${context.positionals[0]}"`, {
      hint: `see \`jobs ${command} --help\``,
    });
  }
}
