import type { Settings, System } from './contenders/settings.js';
import { type MachineLoad, SLOW_HOST_SPEED } from './machine.js';

/** One measured case, as kept in the results file. */
export interface CaseRecord {
  /** Cases compared with each other share a group (e.g. "drain c16"). */
  readonly group: string;
  readonly label: string;
  readonly contender: System | 'pgbench' | 'api' | 'store';
  readonly settings: Settings | '-';
  readonly outcome: Record<string, unknown> & { problems: string[] };
  readonly load: MachineLoad;
  readonly cpu: { watched: Record<string, number>; postgres: number };
  /** Attempts of the case (re-run when disturbed), 1 to 3. */
  readonly runs: number;
  /** Which run of the selected cases it belongs to (`--repeat`), from 1. */
  readonly run: number;
  /** The host's speed around the case relative to the run's start (see `hostSpeed`). */
  readonly hostSpeed?: number;
  /**
   * How the contender processes reached PostgreSQL: the round trip added on purpose (0 =
   * direct), and the connections the proxy accepted during the case (null when direct).
   */
  readonly net: { readonly delayMs: number; readonly proxiedConnections: number | null };
}

/** How a group's main number compares: higher is better (rates) or lower (latencies). */
type Better = 'higher' | 'lower';

const fmt = (n: unknown, digits = 0): string => {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
};

/** A record's main figure: its rate, its latency, or its worst page. */
export function metricOf(r: CaseRecord): { value: number; better: Better; text: string } {
  const o = r.outcome;
  if (Array.isArray(o.pages)) {
    const pages = o.pages as { filter: string; p95: number; indexBacked: boolean }[];
    const worst = pages.reduce(
      (a, b) => (b.p95 > a.p95 ? b : a),
      pages[0] ?? { filter: '-', p95: Number.NaN, indexBacked: false },
    );
    const unindexed = pages.filter((p) => !p.indexBacked).map((p) => p.filter);
    return {
      value: worst.p95,
      better: 'lower',
      text: `worst p95 ${fmt(worst.p95, 1)} ms (${worst.filter}) over ${pages.length} filters; ${unindexed.length === 0 ? 'all index-backed' : `NOT index-backed: ${unindexed.join(', ')}`}`,
    };
  }
  if (typeof o.p50 === 'number') {
    return {
      value: o.p50,
      better: 'lower',
      text:
        `p50/p95/p99 ${fmt(o.p50, 1)}/${fmt(o.p95, 1)}/${fmt(o.p99, 1)} ms` +
        (typeof o.callP50 === 'number'
          ? ` (enqueue call p50/p99 ${fmt(o.callP50, 1)}/${fmt(o.callP99, 1)}, then to start ${fmt(o.afterCallP50, 1)}/${fmt(o.afterCallP99, 1)})`
          : ''),
    };
  }
  const rate = Number(o.jobsPerSecond);
  let text = `${fmt(rate)} jobs/s`;
  if (o.partial === true)
    text += ` (partial: ${fmt(o.done)} of ${fmt(o.jobs)} in ${fmt(o.seconds)} s)`;
  if (typeof o.requestsPerSecond === 'number' && o.perRequest !== 1) {
    text += ` (${fmt(o.requestsPerSecond)} req/s)`;
  }
  if (typeof o.releaseMs === 'number') {
    text += `, last child done → parent started ${fmt(o.releaseMs, 1)} ms`;
  }
  if (typeof o.latencyP50 === 'number')
    text += `, req p50/p99 ${fmt(o.latencyP50, 1)}/${fmt(o.latencyP99, 1)} ms`;
  if (Array.isArray(o.rounds) && o.rounds.length > 1) {
    text += ` (median of ${o.rounds.length} rounds: ${o.rounds.map((r) => fmt(r)).join(' / ')})`;
  }
  return { value: rate, better: 'higher', text };
}

/** This project's ratio to the best peer of its group ("-" when the group has no peer). */
function ratios(records: readonly CaseRecord[]): Map<CaseRecord, string> {
  const out = new Map<CaseRecord, string>();
  const groups = new Map<string, CaseRecord[]>();
  for (const r of records) {
    const key = `${r.run}|${r.group}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const members of groups.values()) {
    // A peer's case that failed has no figure to compare with.
    const peers = members.filter(
      (m) =>
        (m.contender === 'graphile-worker' || m.contender === 'pg-boss') &&
        Number.isFinite(metricOf(m).value),
    );
    if (peers.length === 0) continue;
    const better = metricOf(peers[0] as CaseRecord).better;
    if (better === 'higher') {
      const best = peers.reduce((a, b) => (metricOf(b).value > metricOf(a).value ? b : a));
      for (const m of members.filter((x) => x.contender === 'ours')) {
        out.set(
          m,
          `${fmt(metricOf(m).value / metricOf(best).value, 2)}x ${best.contender} ${best.settings}`,
        );
      }
    } else {
      const bestBy = (k: 'p50' | 'p99') =>
        peers.reduce((a, b) => (Number(b.outcome[k]) < Number(a.outcome[k]) ? b : a));
      const b50 = bestBy('p50');
      const b99 = bestBy('p99');
      for (const m of members.filter((x) => x.contender === 'ours')) {
        out.set(
          m,
          `p50 ${fmt(Number(m.outcome.p50) / Number(b50.outcome.p50), 2)}x (${b50.contender} ${b50.settings}), p99 ${fmt(Number(m.outcome.p99) / Number(b99.outcome.p99), 2)}x (${b99.contender} ${b99.settings})`,
        );
      }
    }
  }
  return out;
}

/** The comparison table as markdown-ish text. */
export function renderTable(records: readonly CaseRecord[]): {
  text: string;
  rows: Record<string, string>[];
} {
  const ratioOf = ratios(records);
  const rows = records.map((r) => {
    const o = r.outcome;
    const rss = o.peakRssMiB ?? o.apiPeakRssMiB;
    const extra: string[] = [];
    if (typeof o.apiCpuMsPerRequest === 'number') {
      extra.push(
        `cpu ms/request api ${fmt(o.apiCpuMsPerRequest, 2)} pg ${fmt(o.postgresCpuMsPerRequest, 2)}`,
      );
    }
    if (typeof o.xactsPerJob === 'number') {
      extra.push(
        `${fmt(o.xactsPerJob, 2)} xacts/job, rows upd/del ${fmt(o.rowsUpdatedPerJob, 2)}/${fmt(o.rowsDeletedPerJob, 2)} per job (HOT ${fmt(o.hotUpdatesPerJob, 2)})`,
      );
      extra.push(
        `cpu ms/job worker ${fmt(o.workerCpuMsPerJob, 3)} pg ${fmt(o.postgresCpuMsPerJob, 3)}`,
      );
    }
    if (typeof r.cpu.watched.proxy === 'number') {
      extra.push(
        `proxy cpu ${fmt(r.cpu.watched.proxy, 2)} s, ${fmt(r.net.proxiedConnections)} connections through it`,
      );
    }
    return {
      case: r.label,
      contender: r.contender,
      settings: r.settings,
      result: metricOf(r).text,
      ratio: ratioOf.get(r) ?? '',
      rss: typeof rss === 'number' ? `${rss} MiB` : '',
      load: `busy ${fmt(r.load.cpuBusy * 100)}%, outside ${fmt(r.load.externalCores, 2)} cores, load ${fmt(r.load.loadavgEnd, 2)}${r.hostSpeed === undefined ? '' : `, host ${fmt(r.hostSpeed, 2)}x${r.hostSpeed < SLOW_HOST_SPEED ? ' SLOW' : ''}`}${r.runs > 1 ? `, ${r.runs} runs` : ''}${r.load.disturbed ? ' DISTURBED' : ''}`,
      check: o.problems.length === 0 ? 'ok' : o.problems.join('; '),
      detail: extra.join(', '),
    };
  });
  const head = [
    'case',
    'contender',
    'settings',
    'result',
    'ratio to best peer',
    'peak RSS',
    'machine',
    'check',
    'profile',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) {
    lines.push(
      `| ${[row.case, row.contender, row.settings, row.result, row.ratio, row.rss, row.load, row.check, row.detail].join(' | ')} |`,
    );
  }
  return { text: lines.join('\n'), rows };
}
