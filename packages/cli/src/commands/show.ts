import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { UsageError } from '../cli/errors.js';
import { printJson } from '../cli/output.js';
import { expectIds } from '../cli/positionals.js';
import { connect } from '../remote/connect.js';
import { jobLinks, linkLines } from './flow-view.js';
import { jobDetails, type WireJob } from './format.js';

/** `jobs show <id>`: everything about one job. */
export const showCommand: Command = {
  name: 'show',
  summary: 'show one job: params, attempts and their errors, progress, log lines, dependencies',
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
    const links = await jobLinks(remote, job.id);
    if (context.values.json === true) printJson(context, { ...job, ...links });
    else {
      const extra = linkLines(links);
      context.stdout.write(
        jobDetails(job as WireJob) + (extra.length > 0 ? `${extra.join('\n')}\n` : ''),
      );
    }
    return 0;
  },
};
