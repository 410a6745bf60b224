import type { CaseRecord } from './report.js';

// Terminology: a target is one figure the issue asks of this project against graphile-worker
// ("drain at concurrency 16 at least 1.2x graphile-worker's"). Each run of the selected cases
// gives every target a verdict; over several runs (--repeat) a target is met only when it was
// met in every run.

/** The group of a case run through a delay proxy of `delayMs` (the plain name when direct). */
export function netGroup(base: string, delayMs: number): string {
  return delayMs === 0 ? base : `${base}, +${delayMs} ms net`;
}

/** Group names of the cases the targets read, so that main.ts and the targets agree. */
export const groups = {
  enqueue: (callSize: number | null, delayMs = 0) =>
    netGroup(callSize === null ? 'enqueue' : `enqueue in calls of ${callSize}`, delayMs),
  drain: (concurrency: number, delayMs = 0) => netGroup(`drain c${concurrency}`, delayMs),
  latency: (delayMs = 0) => netGroup('latency', delayMs),
};

/** Jobs per call of the bulk enqueue in calls (the issue's shape). */
export const ENQUEUE_CALL_SIZE = 1000;
/** The network delay (round trip, ms) of the drain target over a network. */
export const NET_TARGET_DELAY_MS = 5;
/** The worker's peak RSS must stay under this many MB (10^6 bytes). */
export const RSS_LIMIT_MB = 150;

export type Verdict = 'met' | 'not met' | 'not measured';

/** One target's verdict in one run. */
export interface TargetLine {
  /** Stable key, e.g. "drain-c16". */
  readonly id: string;
  /** What is asked, e.g. "drain c16 >= 1.2x graphile-worker". */
  readonly target: string;
  readonly verdict: Verdict;
  /** Ours against graphile-worker (for RSS: MB), null when not measured. */
  readonly ratio: number | null;
  /** The figures behind the verdict. */
  readonly detail: string;
}

/** One target over every run. */
export interface TargetVerdict {
  readonly id: string;
  readonly target: string;
  readonly verdict: Verdict;
  /** Runs in which it was met, of `runs`. */
  readonly met: number;
  readonly runs: number;
  readonly ratios: (number | null)[];
}

type Definition =
  | { kind: 'rate'; id: string; target: string; group: string; min: number }
  | { kind: 'latency'; id: string; target: string; group: string; key: 'p50' | 'p99' }
  | { kind: 'rss'; id: string; target: string; maxMB: number };

/** The issue's targets, in the order they are printed. */
export function definitions(): Definition[] {
  const drain = (c: number, delayMs: number, min: number): Definition => ({
    kind: 'rate',
    id: delayMs === 0 ? `drain-c${c}` : `drain-c${c}-net${delayMs}`,
    target: `drain c${c}${delayMs === 0 ? '' : ` at +${delayMs} ms`} >= ${min}x graphile-worker`,
    group: groups.drain(c, delayMs),
    min,
  });
  return [
    drain(16, 0, 1.2),
    drain(64, 0, 1.2),
    {
      kind: 'rate',
      id: `enqueue-calls-${ENQUEUE_CALL_SIZE}`,
      target: `bulk enqueue in calls of ${ENQUEUE_CALL_SIZE} >= 1.0x graphile-worker`,
      group: groups.enqueue(ENQUEUE_CALL_SIZE),
      min: 1,
    },
    {
      kind: 'rate',
      id: 'enqueue-one-call',
      target: 'bulk enqueue in one call >= 1.0x graphile-worker',
      group: groups.enqueue(null),
      min: 1,
    },
    drain(16, NET_TARGET_DELAY_MS, 2),
    drain(64, NET_TARGET_DELAY_MS, 2),
    {
      kind: 'latency',
      id: 'latency-p50',
      target: "latency p50 <= graphile-worker's",
      group: groups.latency(),
      key: 'p50',
    },
    {
      kind: 'latency',
      id: 'latency-p99',
      target: "latency p99 <= graphile-worker's",
      group: groups.latency(),
      key: 'p99',
    },
    {
      kind: 'rss',
      id: 'worker-rss',
      target: `worker peak RSS < ${RSS_LIMIT_MB} MB`,
      maxMB: RSS_LIMIT_MB,
    },
  ];
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const clean = (r: CaseRecord) => r.outcome.problems.length === 0;
const who = (r: CaseRecord) =>
  `${r.contender} ${r.settings}${r.load.disturbed ? ' (DISTURBED)' : ''}`;

/** A failed case's problems, first lines only, short enough for one output line. */
const why = (failed: readonly CaseRecord[]) =>
  failed
    .map((r) => `${r.settings}: ${r.outcome.problems.map((p) => p.split('\n')[0]).join('; ')}`)
    .join('; ')
    .slice(0, 200);

/**
 * The records of `contender` in `group`: the best of those that passed their checks (higher or
 * lower value), and those that failed them or gave no figure.
 */
function sideOf(
  records: readonly CaseRecord[],
  group: string,
  contender: CaseRecord['contender'],
  value: (r: CaseRecord) => number,
  better: 'higher' | 'lower',
): { best: CaseRecord | null; seen: CaseRecord[]; failed: CaseRecord[] } {
  const seen = records.filter((r) => r.group === group && r.contender === contender);
  const failed = seen.filter((r) => !clean(r) || !Number.isFinite(value(r)));
  let best: CaseRecord | null = null;
  for (const r of seen) {
    if (failed.includes(r)) continue;
    if (best === null || (better === 'higher' ? value(r) > value(best) : value(r) < value(best)))
      best = r;
  }
  return { best, seen, failed };
}

function evaluate(d: Definition, records: readonly CaseRecord[]): TargetLine {
  const base = { id: d.id, target: d.target };
  if (d.kind === 'rss') {
    const peaks = records
      .filter((r) => r.contender === 'ours' && typeof r.outcome.peakRssMiB === 'number')
      .map((r) => ({ r, mb: (Number(r.outcome.peakRssMiB) * 2 ** 20) / 1e6 }));
    if (peaks.length === 0) {
      return { ...base, verdict: 'not measured', ratio: null, detail: 'no worker of ours ran' };
    }
    const top = peaks.reduce((a, b) => (b.mb > a.mb ? b : a));
    return {
      ...base,
      verdict: top.mb < d.maxMB ? 'met' : 'not met',
      ratio: Math.round(top.mb),
      detail: `highest ${fmt(top.mb)} MB (${String(top.r.outcome.peakRssMiB)} MiB) in "${top.r.label}" ${top.r.settings}, over ${peaks.length} worker runs`,
    };
  }
  const value =
    d.kind === 'rate'
      ? (r: CaseRecord) => Number(r.outcome.jobsPerSecond)
      : (r: CaseRecord) => Number(r.outcome[d.key]);
  const better = d.kind === 'rate' ? 'higher' : 'lower';
  const unit = d.kind === 'rate' ? 'jobs/s' : 'ms';
  const digits = d.kind === 'rate' ? 0 : 1;
  const ours = sideOf(records, d.group, 'ours', value, better);
  const peer = sideOf(records, d.group, 'graphile-worker', value, better);
  if (ours.seen.length === 0 || peer.seen.length === 0) {
    const missing =
      ours.seen.length === 0 && peer.seen.length === 0
        ? 'its cases'
        : ours.seen.length === 0
          ? 'ours'
          : 'graphile-worker';
    return { ...base, verdict: 'not measured', ratio: null, detail: `${missing} not run` };
  }
  // Ours misses the target when any of its settings lost or repeated a job, however fast.
  if (ours.best === null || ours.failed.length > 0) {
    return {
      ...base,
      verdict: 'not met',
      ratio: null,
      detail: `ours failed its checks (${why(ours.failed)})`,
    };
  }
  // A peer's failed setting is left out only when its figure shows it was not the best: one
  // that did not run (or gave no figure) might have been, and leaves nothing fair to compare.
  const couldBeBest = (r: CaseRecord) =>
    peer.best === null ||
    !Number.isFinite(value(r)) ||
    (better === 'higher' ? value(r) > value(peer.best) : value(r) < value(peer.best));
  if (peer.best === null || peer.failed.some(couldBeBest)) {
    return {
      ...base,
      verdict: 'not measured',
      ratio: null,
      detail: `graphile-worker failed its checks (${why(peer.failed)})`,
    };
  }
  const ratio = value(ours.best) / value(peer.best);
  const met = d.kind === 'rate' ? ratio >= d.min : ratio <= 1;
  return {
    ...base,
    verdict: met ? 'met' : 'not met',
    ratio: Math.round(ratio * 100) / 100,
    detail: `${who(ours.best)} ${fmt(value(ours.best), digits)} ${unit}, ${who(peer.best)} ${fmt(value(peer.best), digits)} ${unit}${peer.failed.length === 0 ? '' : `; left out, slower and failed its checks: graphile-worker ${peer.failed.map((r) => r.settings).join(', ')}`}`,
  };
}

/**
 * Every target's verdict from the records of one run: this project's best settings against
 * graphile-worker's best, in the same group of the same run. When a case of ours failed its
 * checks (a job lost or run twice, a process that did not start), ours misses the target; when
 * a peer's did, the target is not measured unless that case's own figure shows it was slower
 * than the peer's best.
 */
export function evaluateTargets(records: readonly CaseRecord[]): TargetLine[] {
  return definitions().map((d) => evaluate(d, records));
}

/** Over several runs: met only when met in every run; not met when missed in any. */
export function overallVerdicts(runs: readonly (readonly TargetLine[])[]): TargetVerdict[] {
  return definitions().map((d) => {
    const lines = runs.map((lines) => lines.find((l) => l.id === d.id));
    const verdicts = lines.map((l) => l?.verdict ?? 'not measured');
    const verdict: Verdict = verdicts.includes('not met')
      ? 'not met'
      : verdicts.length > 0 && verdicts.every((v) => v === 'met')
        ? 'met'
        : 'not measured';
    return {
      id: d.id,
      target: d.target,
      verdict,
      met: verdicts.filter((v) => v === 'met').length,
      runs: runs.length,
      ratios: lines.map((l) => l?.ratio ?? null),
    };
  });
}

/** A target's line in the output. */
export function formatTarget(line: TargetLine): string {
  const figure =
    line.ratio === null ? '' : line.id === 'worker-rss' ? `${line.ratio} MB; ` : `${line.ratio}x; `;
  return `target ${line.target}: ${line.verdict} (${figure}${line.detail})`;
}

/** A target's verdict over every run, as printed at the end. */
export function formatVerdict(v: TargetVerdict): string {
  const unit = v.id === 'worker-rss' ? ' MB' : 'x';
  const ratios = v.ratios.map((r) => (r === null ? '-' : `${r}${unit}`)).join(', ');
  return `verdict ${v.target}: ${v.verdict.toUpperCase()}, met in ${v.met} of ${v.runs} run(s) (${ratios})`;
}
