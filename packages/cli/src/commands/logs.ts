import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { printJson } from '../cli/output.js';
import { intFlag } from '../cli/parse.js';
import { noPositionals } from '../cli/positionals.js';
import { connect } from '../remote/connect.js';
import { newLines, printLogLines } from './log-tail.js';

/** `jobs logs`: the job log or the error log, optionally followed. */
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
