import { JOB_STATES } from '@jobs/core';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { bold, green, paintState, printJson, red, table } from '../cli/output.js';
import { intFlag } from '../cli/parse.js';
import { noPositionals } from '../cli/positionals.js';
import { connect } from '../remote/connect.js';

/** `jobs stats`: counts by state and queue, and the throughput of a window. */
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
