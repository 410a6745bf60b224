import { JOB_STATES } from '@jobs/core';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { dim, printJson } from '../cli/output.js';
import { intFlag, listFlag, stringFlag } from '../cli/parse.js';
import { noPositionals } from '../cli/positionals.js';
import { connect } from '../remote/connect.js';
import { jobsTable, type WireJob } from './format.js';

/** `jobs list`: jobs, newest first, filtered by state, queue, handler or text. */
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
