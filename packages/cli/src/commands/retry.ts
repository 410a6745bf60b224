import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { green, printJson } from '../cli/output.js';
import { listFlag } from '../cli/parse.js';
import { expectIds } from '../cli/positionals.js';
import { connect } from '../remote/connect.js';
import { changeEach } from './change-each.js';

/** `jobs retry <id...>` or `jobs retry --failed`. */
export const retryCommand: Command = {
  name: 'retry',
  summary: 'run failed, cancelled, retrying or scheduled jobs now',
  usage: 'retry <id...> | retry --failed [--queue q] [--json]',
  options: {
    failed: { type: 'boolean', description: 'retry every failed job (of --queue, if given)' },
    queue: { type: 'string', value: 'queue', description: 'with --failed: only this queue' },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['retry 42', 'run job 42 again now'],
    ['retry --failed', 'every failed job'],
    ['retry --failed --queue mail', 'every failed job of queue mail'],
  ],
  async run(context) {
    if (context.values.failed !== true) {
      if (context.values.queue !== undefined) throw new UsageError('--queue goes with --failed');
      return changeEach(context, 'retry', expectIds(context, 'retry'));
    }
    if (context.positionals.length > 0) throw new UsageError('give ids or --failed, not both');
    const queues = listFlag(context.values.queue);
    const remote = await connect(context);
    let cursor: string | null = null;
    let changed = 0;
    do {
      const answer: { changed: number; nextCursor: string | null } = await remote.call((c) =>
        parseResponse(
          c.api.jobs.actions.$post({
            json: {
              action: 'retry',
              filter: { state: ['failed'], ...(queues === undefined ? {} : { queue: queues }) },
              ...(cursor === null ? {} : { cursor }),
            },
          }),
        ),
      );
      changed += answer.changed;
      cursor = answer.nextCursor;
    } while (cursor !== null);
    if (context.values.json === true) printJson(context, { changed });
    else
      context.stdout.write(
        `${green('✔')} ${changed} failed job${changed === 1 ? '' : 's'} queued again\n`,
      );
    return 0;
  },
};
