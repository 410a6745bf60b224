/**
 * What a bulk insert without unique keys reads back: one row for many jobs (the span of their
 * ids and the transaction's clock), from which each job's id, state and times follow.
 */
import { createdJob, type EnqueuedJob, type JobState, type NewJob } from '@jobs/core';

/** What an insert reads back for a chunk: the transaction's clock and the ids taken. */
export interface InsertedSpan {
  readonly now_us: string;
  readonly first: string | null;
  readonly n: number;
  readonly ids: string | null;
}

/**
 * The jobs an insert makes of `input` (all created): ids from its span, and state and times as the insert
 * statement computes them from the transaction's clock (a delay in whole milliseconds, or a
 * time). Timestamps read from the database keep whole milliseconds, as computed here.
 */
export function jobsFromSpan(
  input: readonly NewJob[],
  span: InsertedSpan | undefined,
): EnqueuedJob[] {
  const ids = span === undefined ? [] : spanIds(span);
  if (span === undefined || ids.length !== input.length) {
    throw new Error(`insert returned ${ids.length} ids for ${input.length} jobs`);
  }
  return jobsAt(input, ids, 0, Number(span.now_us));
}

/**
 * `jobsFromSpan` for jobs given their ids from `from` on in `ids`, on the clock `nowUs`
 * (microseconds since the epoch).
 */
export function jobsAt(
  input: readonly NewJob[],
  ids: readonly string[],
  from: number,
  nowUs: number,
): EnqueuedJob[] {
  const nowMs = Math.floor(nowUs / 1000);
  return input.map((job, i) => {
    let runAtMs: number;
    let state: JobState;
    if ('at' in job.runAt) {
      runAtMs = job.runAt.at.getTime();
      state = runAtMs * 1000 > nowUs ? 'scheduled' : 'queued';
    } else {
      runAtMs = nowMs + job.runAt.delayMs;
      state = job.runAt.delayMs > 0 ? 'scheduled' : 'queued';
    }
    return createdJob(job, {
      id: ids[from + i] as string,
      state,
      runAt: new Date(runAtMs),
      createdAt: new Date(nowMs),
    });
  });
}

/** The ids of a span in input order: listed, or counted up from the first. */
export function spanIds(span: InsertedSpan): string[] {
  if (span.ids !== null) return span.ids.split(',');
  if (span.first === null || span.n === 0) return [];
  const ids = new Array<string>(span.n);
  const first = Number(span.first);
  if (Number.isSafeInteger(first + span.n)) {
    for (let i = 0; i < span.n; i++) ids[i] = String(first + i);
  } else {
    const big = BigInt(span.first);
    for (let i = 0; i < span.n; i++) ids[i] = String(big + BigInt(i));
  }
  return ids;
}
