import { parseDuration, RETENTION_STATES, ValidationError } from '@jobs/core';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { dim, green, printJson, table } from '../cli/output.js';
import { noPositionals } from '../cli/positionals.js';
import { connect } from '../remote/connect.js';

/** `jobs prune`: delete finished jobs now. */
export const pruneCommand: Command = {
  name: 'prune',
  summary: 'delete finished jobs now (by state, age and queue; never running or waiting ones)',
  usage: 'prune [--state S] [--older-than 1h] [--queue Q] [--dry-run] [--json]',
  description:
    "Without --older-than, each queue's retention decides (what the daemons' pruner does every " +
    'minute). The server deletes in small batches, one process at a time, and writes one ' +
    'job-log line per batch. Only completed, failed and cancelled jobs are ever deleted.',
  options: {
    state: {
      type: 'string',
      value: 'states',
      description: `final states, comma-separated (${RETENTION_STATES.join(', ')}; default all)`,
    },
    'older-than': {
      type: 'string',
      value: 'age',
      description: 'finished longer ago than this: 30s, 15m, 1h, 7d (default: the retention)',
    },
    queue: { type: 'string', value: 'queues', description: 'only these queues, comma-separated' },
    'dry-run': { type: 'boolean', description: 'count what would be deleted, delete nothing' },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['prune --dry-run', 'how many jobs the retention would delete now'],
    ['prune --state completed --older-than 1h', 'completed jobs that finished over an hour ago'],
    ['prune --state failed --queue mail --older-than 7d --json', 'for a script'],
  ],
  async run(context) {
    noPositionals(context, 'prune');
    const state = stringFlag(context.values.state);
    const olderThan = stringFlag(context.values['older-than']);
    const queue = stringFlag(context.values.queue);
    if (state !== undefined) {
      for (const s of state.split(',')) {
        if (!(RETENTION_STATES as readonly string[]).includes(s)) {
          throw new UsageError(
            `--state: only finished jobs are pruned (${RETENTION_STATES.join(', ')}), not "${s}"`,
          );
        }
      }
    }
    if (olderThan !== undefined) {
      try {
        parseDuration(/^\d+$/.test(olderThan) ? Number(olderThan) : olderThan, '--older-than');
      } catch (error) {
        if (error instanceof ValidationError) throw new UsageError(error.message);
        throw error;
      }
    }
    const dryRun = context.values['dry-run'] === true;
    const remote = await connect(context);
    const answer = await remote.call((c) =>
      parseResponse(
        c.api.jobs.$delete({
          query: {
            ...(state === undefined ? {} : { state }),
            ...(queue === undefined ? {} : { queue }),
            ...(olderThan === undefined ? {} : { olderThan }),
            ...(dryRun ? { dryRun: 'true' as const } : {}),
          },
        }),
      ),
    );
    if (context.values.json === true) {
      printJson(context, answer);
      return 0;
    }
    const verb = answer.dryRun ? 'would delete' : 'deleted';
    context.stdout.write(
      `${answer.dryRun ? dim('dry run:') : green('✔')} ${verb} ${answer.deleted} finished job${answer.deleted === 1 ? '' : 's'}\n`,
    );
    if (answer.byQueue.length > 0) {
      context.stdout.write(
        table(
          ['QUEUE', 'STATE', 'JOBS'],
          answer.byQueue.map((q) => [q.queue, q.state, String(q.count)]),
        ),
      );
    }
    return 0;
  },
};

function stringFlag(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
