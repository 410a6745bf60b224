import { resolve } from 'node:path';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { green, paintState, printJson } from '../cli/output.js';
import { connect } from '../remote/connect.js';
import { readStdin, readText } from './run-file.js';

/** `jobs flow <file>`: enqueue jobs that wait for each other, from a JSON file. */
export const flowCommand: Command = {
  name: 'flow',
  summary: 'enqueue a flow: jobs by key that wait for each other (a JSON file)',
  usage: 'flow <file.json | -> [--json]',
  description:
    'The file holds {"jobs": {"<key>": {"handler", "method", "params", "dependsOn": ["<key>", ...],\n' +
    '"onDependencyFailure": "cancel" | "run", ...options}}}. A job waits for the keys (or {"id": "42"}\n' +
    'of existing jobs) in its dependsOn. The flow is checked as a whole (unknown keys, cycles) and\n' +
    'stored all or none. Prints each key with its job id and state; "-" reads stdin.',
  options: { ...JSON_OPTION, ...CLIENT_OPTIONS },
  examples: [
    ['flow thumbnails.json', 'resize jobs, then one zip job that waits for all of them'],
    ['flow - --json < flow.json', 'from stdin; the stored jobs by key as JSON'],
  ],
  async run(context) {
    const [path, extra] = context.positionals;
    if (path === undefined) throw new UsageError('missing argument <file>');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const text =
      path === '-' ? await readStdin(context.stdin) : await readText(resolve(context.cwd, path));
    let flow: unknown;
    try {
      flow = JSON.parse(text);
    } catch (error) {
      throw new UsageError(
        `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const remote = await connect(context);
    const stored = await remote.call((c) =>
      // The server checks the body and answers 400 naming the field at fault.
      parseResponse(c.api.flows.$post({ json: flow as never })),
    );
    if (context.values.json === true) {
      printJson(context, stored);
      return 0;
    }
    const keys = Object.keys(stored.jobs);
    const width = Math.max(...keys.map((k) => k.length));
    for (const key of keys) {
      const job = stored.jobs[key];
      if (job === undefined) continue;
      context.stdout.write(`${key.padEnd(width)}  ${job.id}  ${paintState(job.state)}\n`);
    }
    context.stderr.write(`${green('✓')} enqueued a flow of ${keys.length} jobs\n`);
    return 0;
  },
};
