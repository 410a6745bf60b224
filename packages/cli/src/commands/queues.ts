import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { OperationError, UsageError } from '../cli/errors.js';
import { dim, green, printJson, red, table } from '../cli/output.js';
import { ApiRequestError, connect } from '../remote/connect.js';

/** `jobs queues`: list queues, pause or resume one. */
export const queuesCommand: Command = {
  name: 'queues',
  summary: 'list queues, or pause / resume one',
  usage: 'queues [list] | queues pause <name> [--create] | queues resume <name>',
  description:
    'A paused queue keeps its jobs; workers claim none of them until it is resumed. A queue ' +
    'exists while it has jobs or is paused: pausing a name that has neither is refused unless ' +
    '--create (to pause a queue before its first job), and an empty queue that is not paused ' +
    'is not listed.',
  options: {
    create: {
      type: 'boolean',
      description: 'with pause: pause the queue even though it has no jobs yet',
    },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['queues', 'every queue with its counts'],
    ['queues pause mail', 'stop workers claiming from queue mail'],
    ['queues pause reports --create', 'pause queue reports before its first job'],
    ['queues resume mail', 'let them claim again'],
  ],
  async run(context) {
    const [action = 'list', name, extra] = context.positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const remote = await connect(context);
    const create = context.values.create === true;
    if (create && action !== 'pause') throw new UsageError('--create goes with pause');
    if (action === 'list') {
      if (name !== undefined) throw new UsageError(`unexpected argument "${name}"`);
      const { queues } = await remote.call((c) => parseResponse(c.api.queues.$get()));
      if (context.values.json === true) {
        printJson(context, queues);
        return 0;
      }
      if (queues.length === 0) {
        context.stdout.write(`${dim('no queues yet')}\n`);
        return 0;
      }
      const rows = queues.map((q) => [
        q.name,
        q.paused ? 'paused' : 'active',
        String(q.byState.queued + q.byState.scheduled + q.byState.retrying),
        String(q.byState.running),
        String(q.byState.completed),
        String(q.byState.failed),
      ]);
      context.stdout.write(
        table(['QUEUE', 'STATUS', 'WAITING', 'RUNNING', 'COMPLETED', 'FAILED'], rows, {
          colorize: (column, cell) =>
            column === 1 && cell.startsWith('paused') ? red(cell) : cell,
        }),
      );
      return 0;
    }
    if (action !== 'pause' && action !== 'resume') {
      throw new UsageError(`unknown queues action "${action}": use list, pause or resume`);
    }
    if (name === undefined) {
      throw new UsageError('missing argument <name>', { hint: `jobs queues ${action} <name>` });
    }
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) {
      throw new UsageError(`"${name}" is not a queue name (letters, digits, _ . : -; up to 64)`);
    }
    const answer = await remote
      .call((c) =>
        parseResponse(
          action === 'pause'
            ? c.api.queues[':name'].pause.$post({
                param: { name },
                query: create ? { create: 'true' } : {},
              })
            : c.api.queues[':name'].resume.$post({ param: { name } }),
        ),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ApiRequestError) || error.status !== 404) throw error;
        throw new OperationError(
          `queue ${name} does not exist: it has no jobs and was never paused`,
          action === 'pause'
            ? { hint: `jobs queues pause ${name} --create pauses it before its first job` }
            : {},
        );
      });
    if (context.values.json === true) printJson(context, answer.queue);
    else
      context.stdout.write(
        `${green('✔')} queue ${name} ${answer.queue.paused ? 'paused' : 'resumed'}\n`,
      );
    return 0;
  },
};
