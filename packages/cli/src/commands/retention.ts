import { formatRetention, RETENTION_STATES } from '@jobs/core';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { bold, dim, printJson, table, yellow } from '../cli/output.js';
import { noPositionals } from '../cli/positionals.js';
import { connect } from '../remote/connect.js';

/** `jobs retention`: how long finished jobs are kept, and how big the jobs table is. */
export const retentionCommand: Command = {
  name: 'retention',
  summary: 'how long finished jobs are kept, per state and queue, and the table size',
  usage: 'retention [--json]',
  description:
    'The retention every daemon applies (set by `retention` in jobs.config.ts): the defaults, ' +
    'then each queue that differs. 0 deletes a job as soon as it finishes; forever keeps it.',
  options: { ...JSON_OPTION, ...CLIENT_OPTIONS },
  examples: [
    ['retention', 'the policy and the table size'],
    ['retention --json', 'for a script (milliseconds, null = forever)'],
  ],
  async run(context) {
    noPositionals(context, 'retention');
    const remote = await connect(context);
    const answer = await remote.call((c) => parseResponse(c.api.retention.$get()));
    if (context.values.json === true) {
      printJson(context, answer);
      return 0;
    }
    const rows = [
      ['(default)', ...RETENTION_STATES.map((s) => formatRetention(answer.defaults[s]))],
      ...answer.queues.map((q) => [
        q.name,
        ...RETENTION_STATES.map((s) =>
          s in q.overrides ? formatRetention(q.effective[s]) : dim(formatRetention(q.effective[s])),
        ),
      ]),
    ];
    context.stdout.write(table(['QUEUE', ...RETENTION_STATES.map((s) => s.toUpperCase())], rows));
    const t = answer.table;
    context.stdout.write(
      `\n${bold('jobs table:')} ${mib(t.totalBytes)} (table ${mib(t.tableBytes)}, indexes ${mib(t.indexBytes)}), ` +
        `${t.liveRows} live rows, ${(t.deadShare * 100).toFixed(1)}% dead\n`,
    );
    if (!t.autovacuum) {
      context.stdout.write(
        `${yellow('autovacuum is off for the jobs table:')} pruned rows are never reclaimed; turn it on in PostgreSQL or run VACUUM\n`,
      );
    }
    return 0;
  },
};

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
