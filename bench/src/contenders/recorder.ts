import { writeFileSync } from 'node:fs';

/**
 * Every contender's no-op handler does the same thing: it notes the job id and the time it
 * started (wall clock, sub-millisecond), and returns. At exit the process writes what it saw
 * to BENCH_EXECUTIONS_FILE, so the harness can count executions per job (duplicates, missing)
 * and measure enqueue-to-start latency across processes on the same clock.
 */
const counts = new Map<string, number>();
const starts = new Map<string, number>();
let first = Number.POSITIVE_INFINITY;
let last = 0;

/** What a handler process saw, as written to BENCH_EXECUTIONS_FILE. */
export interface Executions {
  /** Handler calls in all. */
  readonly calls: number;
  /** Wall-clock milliseconds of the first and the last handler call. */
  readonly first: number;
  readonly last: number;
  /** Each job id once, with the start of its first execution. */
  readonly starts: [string, number][];
  /** Ids executed more than once, with how often. */
  readonly duplicates: [string, number][];
}

/** The wall clock in milliseconds, finer than Date.now(). */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Notes one execution of job `id`. */
export function recordExecution(id: string): void {
  const now = wallClockMs();
  const seen = counts.get(id);
  if (seen === undefined) {
    counts.set(id, 1);
    starts.set(id, now);
  } else {
    counts.set(id, seen + 1);
  }
  if (now < first) first = now;
  last = now;
}

/** Everything recorded so far. */
export function executions(): Executions {
  let calls = 0;
  const duplicates: [string, number][] = [];
  for (const [id, n] of counts) {
    calls += n;
    if (n > 1) duplicates.push([id, n]);
  }
  return { calls, first, last, starts: [...starts], duplicates };
}

let installed = false;

/** Writes the record to BENCH_EXECUTIONS_FILE when the process exits (when that is set). */
export function writeExecutionsAtExit(): void {
  const file = process.env.BENCH_EXECUTIONS_FILE;
  if (installed || file === undefined || file === '') return;
  installed = true;
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify(executions()));
  });
}
