import { spinner } from '@clack/prompts';
import { showLogText } from '@jobs/core';
import { parseResponse } from 'hono/client';
import type { CommandContext } from '../cli/command.js';
import { EXIT } from '../cli/errors.js';
import { dim, duration, printJson, red } from '../cli/output.js';
import type { Remote } from '../remote/connect.js';
import type { WireJob } from './format.js';
import { NOTHING_TOLD, type WaitLine, waitLines } from './wait-lines.js';

/** How often the job is read while waiting. */
const POLL_MS = 250;

const FINAL = new Set(['completed', 'failed', 'cancelled']);

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
  let told = NOTHING_TOLD;
  let shown: WaitLine | null = null;
  /** Prints a line; in a terminal a new step keeps the previous line and restarts the spinner. */
  const show = (line: WaitLine) => {
    if (line.text === shown?.text) return;
    if (spin === null) context.stderr.write(`${line.text}\n`);
    else if (shown === null) spin.start(line.text);
    else if (line.step === shown.step) spin.message(line.text);
    else {
      if (shown.failure) spin.error(shown.text);
      else spin.stop(shown.text);
      spin.start(line.text);
    }
    shown = line;
  };
  const tell = () => {
    const next = waitLines(job, told);
    told = next.told;
    for (const line of next.lines) show(line);
  };
  tell();
  try {
    while (!FINAL.has(job.state)) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (interrupted) break;
      job = (await remote.call((c) =>
        parseResponse(c.api.jobs[':id'].$get({ param: { id: first.id } })),
      )) as WireJob;
      tell();
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
  /** The last line; in a terminal the line before it stays, as each step's does. */
  const end = (text: string, ok: boolean) => {
    if (spin === null) {
      context.stderr.write(`${text}\n`);
      return;
    }
    show({ step: 'end', text, failure: !ok });
    if (ok) spin.stop(text);
    else spin.error(red(text));
  };
  if (job.state === 'completed') end(`job ${job.id} completed${took}`, true);
  else {
    const why =
      job.state === 'failed' && lastError !== undefined
        ? `: ${showLogText(`${lastError.name}: ${lastError.message}`)}`
        : '';
    end(`job ${job.id} ${job.state}${why}`, false);
  }
  if (context.values.json === true) printJson(context, job);
  else if (job.state === 'completed' && context.stdout.isTTY === true) {
    context.stdout.write(`${dim('result:')} ${JSON.stringify(job.result)}\n`);
  }
  return job.state === 'completed' ? EXIT.ok : EXIT.failed;
}
