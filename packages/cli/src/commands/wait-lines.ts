import { showLogText } from '@jobs/core';
import { formatProgress, shortTime } from '../cli/output.js';
import type { WireJob } from './format.js';

/**
 * What `--wait` has told so far about a job: the last attempt whose start it printed and the last
 * attempt whose failure it printed. A poll may miss a short attempt; these say what to catch up.
 */
export interface Told {
  readonly started: number;
  readonly failed: number;
}

/** Nothing told yet. */
export const NOTHING_TOLD: Told = { started: 0, failed: 0 };

/**
 * One line of `--wait`. `step` names what it is about (`attempt 2`, `failure 1`, `queued`):
 * lines of one step replace each other (a running attempt's progress); a new step is a new line.
 */
export interface WaitLine {
  readonly step: string;
  readonly text: string;
  /** A failed attempt (shown as an error in a terminal). */
  readonly failure: boolean;
}

/**
 * The lines to print for `job` as just read, after what was `told`: the start of every attempt
 * not yet printed and the failure of every attempt that ended since (in order, so a short attempt
 * between two polls is never skipped), then where the job is now. A job in a final state gets
 * only the catching-up lines; its end is told by the caller. Times are the CLI's `shortTime`.
 */
export function waitLines(
  job: WireJob,
  told: Told,
  now = new Date(),
): { readonly lines: readonly WaitLine[]; readonly told: Told } {
  const name = `job ${job.id} ${job.handler}.${job.method}`;
  const of = (attempt: number) => `${attempt}/${job.maxAttempts}`;
  const lines: WaitLine[] = [];
  let { started, failed } = told;
  const current = job.attempt;
  for (let attempt = Math.min(started, failed) + 1; attempt <= current; attempt++) {
    if (attempt > started) {
      started = attempt;
      // A running attempt's start is the line about where the job is now, below.
      if (attempt < current || job.state !== 'running') {
        lines.push({ step: `attempt ${attempt}`, text: running(attempt, ''), failure: false });
      }
    }
    if (attempt < current && attempt > failed) {
      failed = attempt;
      lines.push(failure(attempt));
    }
  }
  switch (job.state) {
    case 'waiting':
      lines.push({
        step: 'waiting',
        text: `${name} waiting for the jobs it depends on`,
        failure: false,
      });
      break;
    case 'scheduled':
      lines.push({
        step: `scheduled ${current}`,
        text: `${name} scheduled for ${shortTime(job.runAt, now)}`,
        failure: false,
      });
      break;
    case 'queued':
      lines.push({
        step: `queued ${current}`,
        text: `${name} queued, waiting for a worker`,
        failure: false,
      });
      break;
    case 'running': {
      const progress = formatProgress(job.progress);
      lines.push({ step: `attempt ${current}`, text: running(current, progress), failure: false });
      break;
    }
    case 'retrying':
      if (failed < current) lines.push(failure(current));
      failed = current;
      break;
    default:
      break;
  }
  return { lines, told: { started, failed } };

  /** The start of `attempt`, with its progress if any. */
  function running(attempt: number, progress: string): string {
    return `${name} running (attempt ${of(attempt)})${progress === '' ? '' : ` ${progress}`}`;
  }

  /** The failure of `attempt`, which the job has since retried (or is retrying). */
  function failure(attempt: number): WaitLine {
    const error = job.errors.find((e) => e.attempt === attempt);
    const message = showLogText(error?.message ?? 'error');
    // The job's run-at is when its latest retry was due; an earlier retry's time is not kept.
    const latest = attempt === current || (attempt === current - 1 && job.state !== 'retrying');
    const when = latest ? `retrying at ${shortTime(job.runAt, now)}` : 'retried';
    return {
      step: `failure ${attempt}`,
      text: `${name} failed attempt ${of(attempt)} (${message}); ${when}`,
      failure: true,
    };
  }
}
