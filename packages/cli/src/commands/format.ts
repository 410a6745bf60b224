import { ERRORS_KEPT_FIRST, ERRORS_KEPT_LAST, showLogText } from '@jobs/core';
import {
  bold,
  compactJson,
  dim,
  duration,
  formatProgress,
  paintState,
  red,
  shortTime,
  table,
} from '../cli/output.js';

/** A job as the API sends it (the fields the CLI shows). */
export interface WireJob {
  readonly id: string;
  readonly queue: string;
  readonly handler: string;
  readonly method: string;
  /** The arguments: an array, except in an old hand-written row (shown as stored). */
  readonly params: unknown;
  readonly priority: number;
  readonly state: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly runAt: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly leaseOwner: string | null;
  readonly timeoutMs: number | null;
  readonly progress: unknown;
  readonly result: unknown;
  readonly errors: readonly {
    readonly attempt: number;
    readonly message: string;
    readonly name: string;
    readonly stack?: string | undefined;
    readonly at: string;
  }[];
  /** How many attempt errors were dropped between the first and the last kept. */
  readonly errorsDropped: number;
  readonly logs: readonly { readonly at: string; readonly line: string }[];
  readonly uniqueKey: string | null;
  readonly tags: readonly string[];
  /** The schedule and tick that made it (tick null: triggered by hand). */
  readonly schedule?: { readonly name: string; readonly tick: string | null } | null;
  /** Jobs sharing it run at most the queue's keyConcurrency at once; null for none. */
  readonly concurrencyKey: string | null;
  /** The OpenTelemetry trace id (servers before tracing send none). */
  readonly traceId?: string | null;
}

/** The jobs table of `jobs list`. */
export function jobsTable(jobs: readonly WireJob[]): string {
  const rows = jobs.map((job) => [
    job.id,
    job.state,
    job.queue,
    `${job.handler}.${job.method}`,
    showLogText(compactJson(job.params, 40)),
    String(job.priority),
    `${job.attempt}/${job.maxAttempts}`,
    shortTime(job.createdAt),
    showLogText(
      job.state === 'running' ? formatProgress(job.progress) : (job.errors.at(-1)?.message ?? ''),
    ),
  ]);
  return table(
    ['ID', 'STATE', 'QUEUE', 'JOB', 'PARAMS', 'PRI', 'TRY', 'CREATED', 'PROGRESS / LAST ERROR'],
    rows,
    {
      colorize: (column, cell, row) => {
        if (column === 1) return paintState(jobs[row]?.state ?? '', cell);
        if (column === 8 && jobs[row]?.state !== 'running' && cell.trim() !== '') return red(cell);
        return cell;
      },
    },
  );
}

/** The line standing for the attempt errors a job did not keep. */
function droppedNote(job: WireJob): string {
  const n = job.errorsDropped;
  return `… ${n} earlier error${n === 1 ? '' : 's'} not kept (a job keeps its first ${ERRORS_KEPT_FIRST} and last ${ERRORS_KEPT_LAST})`;
}

/** Everything about one job, for `jobs show`. */
export function jobDetails(job: WireJob): string {
  const field = (name: string, value: string) => `${dim(name.padEnd(10))} ${value}`;
  const took =
    job.startedAt !== null && job.finishedAt !== null
      ? ` (${duration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))})`
      : '';
  const lines = [
    `${bold(`Job ${job.id}`)}  ${paintState(job.state)}`,
    field('job', `${job.handler}.${job.method}`),
    field('params', showLogText(JSON.stringify(job.params))),
    field('queue', job.queue),
    field('priority', String(job.priority)),
    field('attempts', `${job.attempt} of ${job.maxAttempts}`),
    field('created', job.createdAt),
    field('run at', job.runAt),
    field('started', job.startedAt ?? '-'),
    field('finished', `${job.finishedAt ?? '-'}${took}`),
  ];
  if (job.timeoutMs !== null) lines.push(field('timeout', duration(job.timeoutMs)));
  if (job.leaseOwner !== null) lines.push(field('worker', showLogText(job.leaseOwner)));
  if (job.uniqueKey !== null) lines.push(field('unique', showLogText(job.uniqueKey)));
  if (job.concurrencyKey !== null) lines.push(field('key', showLogText(job.concurrencyKey)));
  if (job.tags.length > 0) lines.push(field('tags', showLogText(job.tags.join(', '))));
  if (job.schedule !== undefined && job.schedule !== null) {
    const { name, tick } = job.schedule;
    lines.push(
      field('schedule', `${name}, ${tick === null ? 'triggered by hand' : `tick ${tick}`}`),
    );
  }
  if (typeof job.traceId === 'string') lines.push(field('trace', showLogText(job.traceId)));
  if (job.progress !== null && job.progress !== undefined) {
    lines.push(field('progress', showLogText(formatProgress(job.progress))));
  }
  if (job.result !== null && job.result !== undefined) {
    lines.push(field('result', showLogText(JSON.stringify(job.result))));
  }
  if (job.errors.length > 0) {
    lines.push('', bold('Errors'));
    for (const [index, error] of job.errors.entries()) {
      if (index === ERRORS_KEPT_FIRST && job.errorsDropped > 0) lines.push(dim(droppedNote(job)));
      lines.push(
        `${dim(`attempt ${error.attempt}, ${error.at}`)}  ${red(showLogText(`${error.name}: ${error.message}`))}`,
      );
      const stack = (error.stack ?? '')
        .split('\n')
        .slice(1, 6)
        .map((l) => dim(`    ${showLogText(l.trim())}`));
      lines.push(...stack);
    }
  }
  if (job.logs.length > 0) {
    lines.push('', bold('Log'));
    for (const log of job.logs) lines.push(`${dim(shortTime(log.at))}  ${showLogText(log.line)}`);
  }
  return `${lines.join('\n')}\n`;
}
