import { JOB_STATES } from '@jobs/core';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, type CommandContext, JSON_OPTION } from '../cli/command.js';
import { OperationError, UsageError } from '../cli/errors.js';
import { bold, dim, green, paintState, red, table } from '../cli/output.js';
import { intFlag, listFlag, stringFlag } from '../cli/parse.js';
import { ApiRequestError, connect } from '../remote/connect.js';
import { jobDetails, jobsTable, type WireJob } from './format.js';
import { newLines, printLogLines } from './log-tail.js';

/** Prints `value` as JSON, one document. */
export function printJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function expectIds(context: CommandContext, command: string): string[] {
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

function noPositionals(context: CommandContext, command: string): void {
  if (context.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${context.positionals[0]}"`, {
      hint: `see \`jobs ${command} --help\``,
    });
  }
}

export const listCommand: Command = {
  name: 'list',
  summary: 'list jobs, newest first',
  usage: 'list [--state s] [--queue q] [--handler h] [--limit n] [--json]',
  options: {
    state: {
      type: 'string',
      value: 'state',
      description: `only these states, comma-separated (${JOB_STATES.join(', ')})`,
    },
    queue: { type: 'string', value: 'queue', description: 'only these queues, comma-separated' },
    handler: { type: 'string', value: 'name', description: 'only this handler' },
    search: { type: 'string', value: 'text', description: 'text to find in params or errors' },
    limit: { type: 'string', value: 'n', description: 'how many (default 20, at most 500)' },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['list', 'the 20 newest jobs'],
    ['list --state failed,retrying --limit 50', 'what went wrong lately'],
    ['list --queue mail --json | jq ".[].id"', 'ids for a script'],
  ],
  async run(context) {
    noPositionals(context, 'list');
    const states = listFlag(context.values.state);
    for (const state of states ?? []) {
      if (!(JOB_STATES as readonly string[]).includes(state)) {
        throw new UsageError(`--state: "${state}" is not a state (${JOB_STATES.join(', ')})`);
      }
    }
    const limit = intFlag(context.values.limit, 'limit', 1, 500) ?? 20;
    const queues = listFlag(context.values.queue);
    const handler = stringFlag(context.values.handler);
    const search = stringFlag(context.values.search);
    const remote = await connect(context);
    const page = await remote.call((c) =>
      parseResponse(
        c.api.jobs.$get({
          query: {
            limit: String(limit),
            ...(states === undefined ? {} : { state: states.join(',') }),
            ...(queues === undefined ? {} : { queue: queues.join(',') }),
            ...(handler === undefined ? {} : { handler }),
            ...(search === undefined ? {} : { text: search }),
          },
        }),
      ),
    );
    if (context.values.json === true) {
      printJson(context, page.jobs);
      return 0;
    }
    if (page.jobs.length === 0) {
      context.stdout.write(`${dim('no jobs')}\n`);
      return 0;
    }
    context.stdout.write(jobsTable(page.jobs as WireJob[]));
    if (page.nextCursor !== null) {
      context.stdout.write(dim(`(more: --limit ${Math.min(500, limit * 2)} shows more)\n`));
    }
    return 0;
  },
};

export const showCommand: Command = {
  name: 'show',
  summary: 'show one job: params, attempts and their errors, progress, log lines',
  usage: 'show <id> [--json]',
  options: { ...JSON_OPTION, ...CLIENT_OPTIONS },
  examples: [
    ['show 42', 'job 42, with the stack of each failed attempt'],
    ['show 42 --json', 'as JSON'],
  ],
  async run(context) {
    const ids = expectIds(context, 'show');
    if (ids.length > 1) throw new UsageError('show takes one id');
    const remote = await connect(context);
    const job = await remote.call((c) =>
      parseResponse(c.api.jobs[':id'].$get({ param: { id: ids[0] ?? '' } })),
    );
    if (context.values.json === true) printJson(context, job);
    else context.stdout.write(jobDetails(job as WireJob));
    return 0;
  },
};

/** Cancels or retries each id; prints a line per job; exit 1 when any could not be changed. */
async function changeEach(
  context: CommandContext,
  action: 'cancel' | 'retry',
  ids: readonly string[],
): Promise<number> {
  const remote = await connect(context);
  const done: WireJob[] = [];
  const failures: { id: string; message: string }[] = [];
  for (const id of ids) {
    try {
      const answer = await remote.call((c) =>
        parseResponse(
          action === 'cancel'
            ? c.api.jobs[':id'].cancel.$post({ param: { id } })
            : c.api.jobs[':id'].retry.$post({ param: { id } }),
        ),
      );
      done.push(answer.job as WireJob);
    } catch (error) {
      if ((error as { exitCode?: number }).exitCode === 3) throw error;
      failures.push({ id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  if (context.values.json === true) {
    printJson(context, { changed: done, failed: failures });
  } else {
    const verb = action === 'cancel' ? 'cancelled' : 'queued again';
    for (const job of done) {
      context.stdout.write(`${green('✔')} job ${job.id} ${verb} (${paintState(job.state)})\n`);
    }
    for (const failure of failures) {
      context.stderr.write(`${red('✖')} job ${failure.id}: ${failure.message}\n`);
    }
  }
  return failures.length > 0 ? 1 : 0;
}

export const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel jobs (a running one is told to stop)',
  usage: 'cancel <id...> [--json]',
  options: { ...JSON_OPTION, ...CLIENT_OPTIONS },
  examples: [
    ['cancel 42', 'cancel job 42'],
    ['cancel 42 43 44', 'several at once'],
  ],
  run: (context) => changeEach(context, 'cancel', expectIds(context, 'cancel')),
};

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

export const statsCommand: Command = {
  name: 'stats',
  summary: 'counts by state and queue, and throughput of the last hour',
  usage: 'stats [--window minutes] [--json]',
  options: {
    window: { type: 'string', value: 'minutes', description: 'throughput window (default 60)' },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['stats', 'a summary'],
    ['stats --json', 'for a script'],
  ],
  async run(context) {
    noPositionals(context, 'stats');
    const window = intFlag(context.values.window, 'window', 1, 1440);
    const remote = await connect(context);
    const stats = await remote.call((c) =>
      parseResponse(
        c.api.stats.$get({ query: window === undefined ? {} : { window: String(window) } }),
      ),
    );
    if (context.values.json === true) {
      printJson(context, stats);
      return 0;
    }
    const states = JOB_STATES as readonly (keyof typeof stats.byState)[];
    const rows = [
      ['all', ...states.map((s) => String(stats.byState[s]))],
      ...stats.byQueue.map((q) => [q.queue, ...states.map((s) => String(q.byState[s]))]),
    ];
    context.stdout.write(
      table(['QUEUE', ...states.map((s) => s.toUpperCase())], rows, {
        colorize: (column, cell) =>
          column === 0 ? cell : paintState(states[column - 1] ?? '', cell),
      }),
    );
    const completed = stats.throughput.points.reduce((sum, p) => sum + p.completed, 0);
    const failed = stats.throughput.points.reduce((sum, p) => sum + p.failed, 0);
    context.stdout.write(
      `\n${bold(`Last ${stats.throughput.minutes} min:`)} ${green(`${completed} completed`)}, ${red(`${failed} failed`)}\n`,
    );
    return 0;
  },
};

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

export const logsCommand: Command = {
  name: 'logs',
  summary: 'print the job log (or the error log), optionally following it',
  usage: 'logs [--errors] [--lines n] [--follow] [--json]',
  options: {
    errors: { type: 'boolean', description: 'the error log instead of the job log' },
    lines: { type: 'string', value: 'n', description: 'how many of the last lines (default 50)' },
    follow: { type: 'boolean', short: 'f', description: 'keep printing new lines until Ctrl-C' },
    ...JSON_OPTION,
    ...CLIENT_OPTIONS,
  },
  examples: [
    ['logs', 'the last 50 state changes'],
    ['logs --errors --lines 200', 'the last 200 lines of the error log'],
    ['logs -f', 'follow the job log'],
  ],
  async run(context) {
    noPositionals(context, 'logs');
    const lines = intFlag(context.values.lines, 'lines', 1, 5000) ?? 50;
    const which = context.values.errors === true ? 'errors' : 'jobs';
    const follow = context.values.follow === true;
    if (follow && context.values.json === true)
      throw new UsageError('--follow and --json do not go together');
    const remote = await connect(context);
    const fetchTail = (count: number) =>
      remote.call((c) =>
        parseResponse(c.api.logs[which].$get({ query: { lines: String(count) } })),
      );
    const first = await fetchTail(lines);
    if (context.values.json === true) {
      printJson(context, first);
      return 0;
    }
    printLogLines(context.stdout, first.lines);
    if (!follow) return 0;
    let seen = first.lines;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const next = await fetchTail(500);
      printLogLines(context.stdout, newLines(seen, next.lines));
      seen = next.lines;
    }
  },
};
