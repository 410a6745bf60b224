import { spinner } from '@clack/prompts';
import { parseResponse } from 'hono/client';
import type { CommandContext } from '../cli/command.js';
import { EXIT } from '../cli/errors.js';
import { dim, duration, formatProgress, printJson, red } from '../cli/output.js';
import type { Remote } from '../remote/connect.js';
import type { WireJob } from './format.js';

/** How often the job is read while waiting. */
const POLL_MS = 250;

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** One line about where a job is. */
function status(job: WireJob): string {
  const name = `job ${job.id} ${job.handler}.${job.method}`;
  switch (job.state) {
    case 'scheduled':
      return `${name} scheduled for ${new Date(job.runAt).toLocaleTimeString()}`;
    case 'queued':
      return `${name} queued, waiting for a worker`;
    case 'running': {
      const progress = formatProgress(job.progress);
      return `${name} running (attempt ${job.attempt}/${job.maxAttempts})${progress === '' ? '' : ` ${progress}`}`;
    }
    case 'retrying':
      return `${name} failed attempt ${job.attempt}/${job.maxAttempts} (${job.errors.at(-1)?.message ?? 'error'}); retrying at ${new Date(job.runAt).toLocaleTimeString()}`;
    default:
      return `${name} ${job.state}`;
  }
}

/**
 * Follows `job` until it is completed, failed or cancelled, with a spinner on stderr in a
 * terminal (plain lines otherwise). Exit 0 when completed, 1 when failed or cancelled, 130 when
 * the person stops waiting with Ctrl-C (the job carries on).
 */
export async function waitForJob(
  context: CommandContext,
  remote: Remote,
  first: WireJob,
): Promise<number> {
  const interactive = context.stderr.isTTY === true;
  let interrupted = false;
  const spin = interactive
    ? spinner({
        output: context.stderr,
        cancelMessage: `stopped waiting; job ${first.id} carries on (jobs show ${first.id})`,
        onCancel: () => {
          interrupted = true;
        },
      })
    : null;
  const onSigint = () => {
    interrupted = true;
  };
  if (spin === null) process.on('SIGINT', onSigint);
  let job = first;
  let shown = '';
  const show = (text: string) => {
    if (text === shown) return;
    shown = text;
    if (spin !== null) spin.message(text);
    else context.stderr.write(`${text}\n`);
  };
  spin?.start(status(job));
  if (spin === null) show(status(job));
  try {
    while (!FINAL.has(job.state)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (interrupted) break;
      job = (await remote.call((c) =>
        parseResponse(c.api.jobs[':id'].$get({ param: { id: first.id } })),
      )) as WireJob;
      if (!FINAL.has(job.state)) show(status(job));
    }
  } catch (error) {
    spin?.error(`lost track of job ${first.id}`);
    throw error;
  } finally {
    if (spin === null) process.off('SIGINT', onSigint);
  }
  if (interrupted) {
    if (spin === null) context.stderr.write(`stopped waiting; job ${first.id} carries on\n`);
    return EXIT.interrupted;
  }
  const took =
    job.startedAt !== null && job.finishedAt !== null
      ? ` in ${duration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}`
      : '';
  const lastError = job.errors.at(-1);
  if (job.state === 'completed') {
    const text = `job ${job.id} completed${took}`;
    if (spin !== null) spin.stop(text);
    else context.stderr.write(`${text}\n`);
  } else {
    const why =
      job.state === 'failed' && lastError !== undefined
        ? `: ${lastError.name}: ${lastError.message}`
        : '';
    const text = `job ${job.id} ${job.state}${why}`;
    if (spin !== null) spin.error(red(text));
    else context.stderr.write(`${text}\n`);
  }
  if (context.values.json === true) printJson(context, job);
  else if (job.state === 'completed' && context.stdout.isTTY === true) {
    context.stdout.write(`${dim('result:')} ${JSON.stringify(job.result)}\n`);
  }
  return job.state === 'completed' ? EXIT.ok : EXIT.failed;
}
