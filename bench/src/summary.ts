import { mkdir, writeFile } from 'node:fs/promises';
import { SLOW_HOST_SPEED } from './machine.js';
import type { MeasuredDelay } from './net/path.js';
import { type CaseRecord, metricOf, renderTable } from './report.js';
import type { TargetLine, TargetVerdict } from './targets.js';

/** What a run's summary is made of. */
export interface SummaryInput {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly database: string;
  readonly machine: Record<string, unknown>;
  readonly options: Record<string, unknown>;
  readonly settings: Record<string, string>;
  readonly network: string;
  /** The full results file, relative to the repository. */
  readonly results: string;
  readonly delays: readonly { run: number; delayMs: number; measured: MeasuredDelay }[];
  readonly records: readonly CaseRecord[];
  readonly targets: readonly (readonly TargetLine[])[];
  readonly verdicts: readonly TargetVerdict[];
}

/**
 * The few KB of a run worth keeping in git: figures, ratios, target verdicts, the machine and
 * its load, the settings, the delays measured; no plans, samples or per-process CPU (those stay
 * in the full results file, which is not kept).
 */
export function buildSummary(input: SummaryInput) {
  const runs = [...new Set(input.records.map((r) => r.run))].sort((a, b) => a - b);
  const cases = runs.flatMap((run) => {
    const records = input.records.filter((r) => r.run === run);
    const { rows } = renderTable(records);
    return records.map((r, i) => {
      const rss = r.outcome.peakRssMiB ?? r.outcome.apiPeakRssMiB;
      return {
        run,
        group: r.group,
        contender: r.contender,
        settings: r.settings,
        result: metricOf(r).text,
        ...(rows[i]?.ratio ? { ratio: rows[i]?.ratio } : {}),
        ...(typeof rss === 'number' ? { peakRssMiB: rss } : {}),
        check: r.outcome.problems.length === 0 ? 'ok' : r.outcome.problems.join('; ').slice(0, 300),
        outsideCores: r.load.externalCores,
        ...(r.load.disturbed ? { disturbed: true } : {}),
        ...(typeof r.hostSpeed === 'number' ? { hostSpeed: r.hostSpeed } : {}),
      };
    });
  });
  const loads = input.records.map((r) => r.load.loadavgEnd).filter(Number.isFinite);
  return {
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    database: input.database,
    machine: input.machine,
    load: {
      loadavgMin: loads.length === 0 ? null : Math.min(...loads),
      loadavgMax: loads.length === 0 ? null : Math.max(...loads),
      disturbedCases: input.records.filter((r) => r.load.disturbed).length,
      slowHostCases: input.records.filter(
        (r) => typeof r.hostSpeed === 'number' && r.hostSpeed < SLOW_HOST_SPEED,
      ).length,
    },
    options: input.options,
    settings: input.settings,
    network: input.network,
    measuredDelays: input.delays,
    results: input.results,
    verdicts: input.verdicts,
    targets: input.targets,
    cases,
  };
}

/** The summary as JSON text: one line per case and per target line, the rest indented. */
export function formatSummary(summary: ReturnType<typeof buildSummary>): string {
  const { targets, cases, ...head } = summary;
  const top = JSON.stringify(head, null, 1).replace(/\n}$/, '');
  const runs = targets.map(
    (lines) => `  [\n${lines.map((l) => `   ${JSON.stringify(l)}`).join(',\n')}\n  ]`,
  );
  const rows = cases.map((c) => `  ${JSON.stringify(c)}`);
  return `${top},\n "targets": [\n${runs.join(',\n')}\n ],\n "cases": [\n${rows.join(',\n')}\n ]\n}\n`;
}

/** Writes the summary to `dir`/<startedAt>.json and returns its path. */
export async function writeSummary(dir: URL, input: SummaryInput): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = new URL(`${input.startedAt.toISOString().replace(/[:.]/g, '-')}.json`, dir);
  await writeFile(file, formatSummary(buildSummary(input)));
  return file.pathname;
}
