import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { OperationError, UsageError } from '../cli/errors.js';
import { dim, green, printJson, red, table } from '../cli/output.js';
import { ApiRequestError, connect } from '../remote/connect.js';
import { describeUsage, setQueueLimits } from './queue-limits.js';

/** `jobs queues`: list queues, pause or resume one. */
export const queuesCommand: Command = {
  name: 'queues',
  summary: 'list queues, pause / resume one, or set its limits',
  usage:
    'queues [list] | queues pause <name> [--create] | queues resume <name> | ' +
    'queues set <name> [--concurrency n|none] [--key-concurrency n|none] [--rate 50/1s|none]',
  description:
    'A paused queue keeps its jobs; workers claim none of them until it is resumed. A queue ' +
    'exists while it has jobs, is paused or limited: pausing a name that has none of these is ' +
    'refused unless --create (to pause a queue before its first job), and an empty queue that ' +
    'is neither paused nor limited is not listed.\n' +
    'set changes limits that hold across every worker, at once: --concurrency (jobs of the ' +
    'queue running at once), --key-concurrency (running jobs per concurrency key, default 1) ' +
    'and --rate (job starts per period: 50/1s, 10/500ms, 100/m); none removes a limit.',
  options: {
    create: {
      type: 'boolean',
      description: 'with pause: pause the queue even though it has no jobs yet',
    },
    concurrency: {
      type: 'string',
      value: 'n|none',
      description: 'with set: most jobs of the queue running at once, on all workers',
    },
    'key-concurrency': {
      type: 'string',
      value: 'n|none',
      description: 'with set: most running jobs per concurrency key (default 1)',
    },
    rate: {
      type: 'string',
      value: 'n/period|none',
      description: 'with set: most job starts per period on all workers, e.g. 50/1s',
    },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['queues', 'every queue with its counts'],
    ['queues pause mail', 'stop workers claiming from queue mail'],
    ['queues pause reports --create', 'pause queue reports before its first job'],
    ['queues resume mail', 'let them claim again'],
    ['queues set mail --concurrency 3 --rate 50/1s', 'at most 3 at once and 50 starts a second'],
    ['queues set mail --rate none', 'remove the rate limit'],
  ],
  async run(context) {
    const [action = 'list', name, extra] = context.positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const remote = await connect(context);
    const create = context.values.create === true;
    if (create && action !== 'pause') throw new UsageError('--create goes with pause');
    const limitFlags = ['concurrency', 'key-concurrency', 'rate'].filter(
      (flag) => context.values[flag] !== undefined,
    );
    if (action !== 'set' && limitFlags.length > 0) {
      throw new UsageError(`--${limitFlags[0]} goes with set`);
    }
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
        describeUsage(q.limits, q.usage),
      ]);
      context.stdout.write(
        table(['QUEUE', 'STATUS', 'WAITING', 'RUNNING', 'COMPLETED', 'FAILED', 'LIMITS'], rows, {
          colorize: (column, cell) =>
            column === 1 && cell.startsWith('paused') ? red(cell) : cell,
        }),
      );
      return 0;
    }
    if (action !== 'pause' && action !== 'resume' && action !== 'set') {
      throw new UsageError(`unknown queues action "${action}": use list, pause, resume or set`);
    }
    if (name === undefined) {
      throw new UsageError('missing argument <name>', { hint: `jobs queues ${action} <name>` });
    }
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) {
      throw new UsageError(`"${name}" is not a queue name (letters, digits, _ . : -; up to 64)`);
    }
    if (action === 'set') return setQueueLimits(context, remote, name);
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
