import { SCHEDULE_NAME_PATTERN, showLogText } from '@jobs/core';
import { parseResponse } from 'hono/client';
import { CLIENT_OPTIONS, type Command, JSON_OPTION } from '../cli/command.js';
import { OperationError, UsageError } from '../cli/errors.js';
import { bold, dim, green, paintState, printJson, red, shortTime, table } from '../cli/output.js';
import { ApiRequestError, connect, type Remote } from '../remote/connect.js';

const ACTIONS = ['list', 'show', 'pause', 'resume', 'trigger'] as const;
type Action = (typeof ACTIONS)[number];

/** `jobs schedules`: list schedules, show one, pause, resume or trigger it. */
export const schedulesCommand: Command = {
  name: 'schedules',
  summary: 'list schedules (recurring jobs), show one, pause / resume / trigger it',
  usage: 'schedules [list] | schedules show|pause|resume|trigger <name> [--json]',
  description:
    'Schedules come from `schedules` in jobs.config.ts (upserted when jobs start / jobs worker\n' +
    'starts) or from the API and the dashboard. A paused schedule enqueues nothing until resumed\n' +
    '(resuming starts from the next tick); trigger enqueues one job now. A schedule removed from\n' +
    'the config is listed as removed and enqueues nothing.',
  options: { ...JSON_OPTION, ...CLIENT_OPTIONS },
  examples: [
    ['schedules', 'every schedule, its next and last run'],
    ['schedules show nightly-report', 'its definition, next 5 ticks and recent jobs'],
    ['schedules pause nightly-report', 'stop enqueuing its jobs'],
    ['schedules trigger nightly-report', 'enqueue one of its jobs now'],
  ],
  async run(context) {
    const [given = 'list', name, extra] = context.positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (!(ACTIONS as readonly string[]).includes(given)) {
      throw new UsageError(`unknown schedules action "${given}": use ${ACTIONS.join(', ')}`);
    }
    const action = given as Action;
    const json = context.values.json === true;
    const remote = await connect(context);
    if (action === 'list') {
      if (name !== undefined) throw new UsageError(`unexpected argument "${name}"`);
      const { schedules } = await remote.call((c) => parseResponse(c.api.schedules.$get()));
      if (json) printJson(context, schedules);
      else context.stdout.write(schedulesTable(schedules));
      return 0;
    }
    if (name === undefined) {
      throw new UsageError('missing argument <name>', { hint: `jobs schedules ${action} <name>` });
    }
    if (!SCHEDULE_NAME_PATTERN.test(name)) {
      throw new UsageError(`"${name}" is not a schedule name (letters, digits, _ . : -; up to 64)`);
    }
    return act(remote, action, name, json, context);
  },
};

type Context = Parameters<Command['run']>[0];

async function act(
  remote: Remote,
  action: Exclude<Action, 'list'>,
  name: string,
  json: boolean,
  context: Context,
): Promise<number> {
  const param = { param: { name } };
  const missing = (error: unknown): never => {
    if (error instanceof ApiRequestError && error.status === 404) {
      throw new OperationError(`schedule ${name} does not exist`, {
        hint: 'jobs schedules lists them',
      });
    }
    throw error;
  };
  const out = (text: string) => context.stdout.write(text);
  if (action === 'show') {
    const detail = await remote
      .call((c) => parseResponse(c.api.schedules[':name'].$get(param)))
      .catch(missing);
    if (json) printJson(context, detail);
    else out(scheduleDetails(detail));
    return 0;
  }
  if (action === 'trigger') {
    const { job } = await remote
      .call((c) => parseResponse(c.api.schedules[':name'].trigger.$post(param)))
      .catch(missing);
    if (json) printJson(context, job);
    else out(`${green('✔')} schedule ${name} triggered: job ${job.id} queued\n`);
    return 0;
  }
  const { schedule } = await remote
    .call((c) =>
      parseResponse(
        action === 'pause'
          ? c.api.schedules[':name'].pause.$post(param)
          : c.api.schedules[':name'].resume.$post(param),
      ),
    )
    .catch(missing);
  if (json) printJson(context, schedule);
  else {
    const next = schedule.nextTick === null ? '' : `; next run ${schedule.nextTick}`;
    out(`${green('✔')} schedule ${name} ${action === 'pause' ? 'paused' : `resumed${next}`}\n`);
  }
  return 0;
}

/** What the list shows of a schedule. */
interface ListedSchedule {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly handler: string;
  readonly method: string;
  readonly status: string;
  readonly nextTick: string | null;
  readonly lastJob: {
    readonly id: string;
    readonly state: string;
    readonly createdAt: string;
  } | null;
  readonly lastError: string | null;
}

function schedulesTable(schedules: readonly ListedSchedule[]): string {
  if (schedules.length === 0) return `${dim('no schedules yet')}\n`;
  const rows = schedules.map((s) => [
    showLogText(s.name),
    s.status,
    showLogText(`${s.cron}${s.timezone === 'UTC' ? '' : ` (${s.timezone})`}`),
    showLogText(`${s.handler}.${s.method}`),
    s.status === 'active' && s.nextTick !== null ? shortTime(s.nextTick) : '-',
    s.lastJob === null
      ? '-'
      : `${shortTime(s.lastJob.createdAt)} #${s.lastJob.id} ${s.lastJob.state}`,
    showLogText(s.lastError ?? ''),
  ]);
  return table(['NAME', 'STATUS', 'CRON', 'JOB', 'NEXT RUN', 'LAST RUN', 'ERROR'], rows, {
    colorize: (column, cell) => {
      if (column === 1 && cell !== 'active') return red(cell);
      if (column === 5) {
        const state = cell.split(' ').at(-1) ?? '';
        return cell === '-' ? cell : cell.replace(state, paintState(state));
      }
      return cell;
    },
  });
}

interface DetailedSchedule extends ListedSchedule {
  readonly params: readonly unknown[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly catchUp: string;
  readonly source: string;
  readonly lastTick: string | null;
  readonly lastFiredBy: string | null;
  readonly nextTicks: readonly string[];
  readonly recentJobs: readonly {
    readonly id: string;
    readonly state: string;
    readonly createdAt: string;
    readonly schedule: { readonly tick: string | null } | null;
  }[];
}

function scheduleDetails(s: DetailedSchedule): string {
  const field = (name: string, value: string) => `${dim(name.padEnd(10))} ${value}`;
  const lines = [
    `${bold(`Schedule ${showLogText(s.name)}`)}  ${s.status === 'active' ? green(s.status) : red(s.status)}`,
    field('cron', showLogText(`${s.cron} (${s.timezone})`)),
    field('job', showLogText(`${s.handler}.${s.method}`)),
    field('params', showLogText(JSON.stringify(s.params))),
    field('options', showLogText(JSON.stringify(s.options))),
    field('catch-up', s.catchUp),
    field('source', s.source === 'config' ? 'jobs.config.ts' : 'API (run time)'),
    field('last tick', s.lastTick ?? '-'),
  ];
  if (s.lastFiredBy !== null) lines.push(field('fired by', showLogText(s.lastFiredBy)));
  if (s.lastError !== null) lines.push(field('error', red(showLogText(s.lastError))));
  lines.push('', bold('Next runs'));
  if (s.nextTicks.length === 0) lines.push(dim(`  none (${s.status})`));
  for (const tick of s.nextTicks) lines.push(`  ${tick}`);
  lines.push('', bold('Recent jobs'));
  if (s.recentJobs.length === 0) lines.push(dim('  none yet'));
  for (const job of s.recentJobs) {
    const tick = job.schedule?.tick ?? null;
    lines.push(
      `  ${job.id.padEnd(8)} ${paintState(job.state)}  ${dim(tick === null ? 'triggered by hand' : `tick ${tick}`)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
