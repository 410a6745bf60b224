import type { BenchDatabase } from './database.js';
import {
  type CpuByGroup,
  DISTURBANCE_THRESHOLD_CORES,
  type MachineLoad,
  MachineMonitor,
} from './machine.js';
import { directPath, type NetPath } from './net/path.js';

/**
 * Handed to a case: the database, the way contender processes reach it (`net.url`: straight,
 * or through a delay proxy), and the switch around the part that is measured.
 */
export class CaseContext {
  private monitor: MachineMonitor | null = null;
  private result: { load: MachineLoad; cpu: CpuByGroup } | null = null;
  private readonly watched: [string, number][] = [];

  constructor(
    readonly db: BenchDatabase,
    readonly net: NetPath = directPath(db.url),
  ) {
    // The proxy's CPU is reported on its own, beside the contender's processes.
    if (net.proxy !== null) this.watched.push(['proxy', net.proxy.pid]);
  }

  /** Starts watching the machine: call just before the measured part. */
  async begin(): Promise<void> {
    this.monitor = new MachineMonitor(this.db.admin, this.db.database);
    for (const [name, pid] of this.watched) this.monitor.watch(name, pid);
    await this.monitor.start();
  }

  /** Reports a contender process's CPU time on its own. */
  watch(name: string, pid: number): void {
    this.watched.push([name, pid]);
    this.monitor?.watch(name, pid);
  }

  /** Stops watching: call right after the measured part. */
  async end(): Promise<{ load: MachineLoad; cpu: CpuByGroup }> {
    if (this.result !== null) return this.result;
    if (this.monitor === null) await this.begin();
    this.result = await (this.monitor as MachineMonitor).stop();
    return this.result;
  }
}

/** What every case returns. */
export interface CaseOutcome {
  readonly problems: string[];
}

export interface Measured<T extends CaseOutcome> {
  readonly outcome: T;
  readonly load: MachineLoad;
  readonly cpu: CpuByGroup;
  /** 1 when the first run was undisturbed; up to 3. */
  readonly runs: number;
}

/**
 * Runs a case; when processes outside the benchmark used more than the threshold of CPU
 * during its measured part, runs it again (up to 2 more times) and keeps the least disturbed.
 */
export async function measured<T extends CaseOutcome>(
  db: BenchDatabase,
  label: string,
  run: (ctx: CaseContext) => Promise<T>,
  log: (line: string) => void,
  net: NetPath = directPath(db.url),
): Promise<Measured<T>> {
  let best: Measured<T> | null = null;
  let runs = 0;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    runs = attempt;
    const ctx = new CaseContext(db, net);
    let outcome: T;
    try {
      outcome = await run(ctx);
    } finally {
      await ctx.end();
    }
    const { load, cpu } = await ctx.end();
    const current: Measured<T> = { outcome, load, cpu, runs: attempt };
    if (best === null || load.externalCores < best.load.externalCores) best = current;
    if (!load.disturbed) break;
    log(
      `  ${label}: disturbed (outside processes used ${load.externalCores} cores > ${DISTURBANCE_THRESHOLD_CORES}: ${load.topExternal.join(', ')})${attempt < 3 ? '; running it again' : '; keeping the least disturbed run'}`,
    );
  }
  return { ...(best as Measured<T>), runs };
}
