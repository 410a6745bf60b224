import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import type postgres from 'postgres';

/**
 * A case counts as disturbed when processes outside the benchmark (not the harness, not its
 * child processes, not PostgreSQL working for the bench database) used more than this many
 * cores on average while it ran. 0.2 = a fifth of one core (a tenth of this 2-core machine).
 */
export const DISTURBANCE_THRESHOLD_CORES = 0.2;

/** How busy the machine was during one case, and who kept it busy. */
export interface MachineLoad {
  /** 1-minute load average at the start and at the end. */
  readonly loadavgStart: number;
  readonly loadavgEnd: number;
  /** Share of all cores busy (from /proc/stat), 0..1. */
  readonly cpuBusy: number;
  /** Cores used on average by the benchmark: harness, its children, bench PostgreSQL work. */
  readonly benchCores: number;
  /** Cores used on average by every other process seen. */
  readonly externalCores: number;
  /** Busy time no process accounts for (kernel, interrupts, processes too short to see). */
  readonly unattributedCores: number;
  /** The biggest outside users, `name:cores`. */
  readonly topExternal: string[];
  /** externalCores > DISTURBANCE_THRESHOLD_CORES. */
  readonly disturbed: boolean;
}

/** Per-process CPU seconds spent during the case. */
export interface CpuByGroup {
  /** Named processes (pid given to `watch`), in CPU seconds. */
  readonly watched: Record<string, number>;
  /** PostgreSQL processes working for the bench database (and its background processes). */
  readonly postgres: number;
}

interface ProcStat {
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime, in clock ticks. */
  readonly ticks: number;
}

const TICKS_PER_SECOND = 100;

async function readProcStat(pid: number): Promise<ProcStat | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    const comm = text.slice(open + 1, close);
    const fields = text
      .slice(close + 2)
      .trim()
      .split(' ');
    // After the comm: state(0) ppid(1) ... utime(11) stime(12).
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { ppid, comm, ticks };
  } catch {
    return null;
  }
}

async function readAllProcs(): Promise<Map<number, ProcStat>> {
  const out = new Map<number, ProcStat>();
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return out;
  }
  await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n))
      .map(async (n) => {
        const stat = await readProcStat(Number(n));
        if (stat !== null) out.set(Number(n), stat);
      }),
  );
  return out;
}

/** Busy and total jiffies of all cores together, from the first line of /proc/stat. */
async function readCpuTotals(): Promise<{ busy: number; total: number } | null> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** The 1-minute load average now. */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

/**
 * Watches the machine while a case runs: samples every process's CPU time and the bench
 * database's PostgreSQL backends (from pg_stat_activity) twice a second, so that at the end
 * it can tell the benchmark's own CPU use from everybody else's.
 */
export class MachineMonitor {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, ProcStat>();
  private readonly bench = new Set<number>();
  private readonly pgBench = new Set<number>();
  private readonly watchedPids = new Map<string, number>();
  private cpuStart: { busy: number; total: number } | null = null;
  private startedAt = 0;
  private readonly loadStart = load1();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(
    private readonly admin: postgres.Sql,
    private readonly database: string,
  ) {}

  /** Takes the first sample and starts sampling. */
  async start(): Promise<void> {
    this.startedAt = performance.now();
    this.cpuStart = await readCpuTotals();
    await this.sample(true);
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample(false)).catch(() => {});
    }, 500);
  }

  /** Names a process whose CPU time is reported on its own (a contender). */
  watch(name: string, pid: number): void {
    this.watchedPids.set(name, pid);
  }

  private async sample(initial: boolean): Promise<void> {
    const [procs, backends] = await Promise.all([readAllProcs(), this.benchBackends()]);
    for (const pid of backends) this.pgBench.add(pid);
    for (const [pid, stat] of procs) {
      // A process first seen now started during the case (or is the first sample's).
      if (!this.first.has(pid)) this.first.set(pid, initial ? stat.ticks : 0);
      this.last.set(pid, stat);
    }
    for (const [pid] of procs) {
      if (this.isBench(pid, procs)) this.bench.add(pid);
    }
  }

  private isBench(pid: number, procs: Map<number, ProcStat>): boolean {
    if (this.pgBench.has(pid)) return true;
    let current: number | undefined = pid;
    for (let depth = 0; current !== undefined && current > 1 && depth < 64; depth += 1) {
      if (current === process.pid) return true;
      current = procs.get(current)?.ppid;
    }
    return false;
  }

  /** PostgreSQL backends of the bench database, and the server's background processes. */
  private async benchBackends(): Promise<number[]> {
    try {
      const rows = await this.admin<{ pid: number }[]>`
        SELECT pid FROM pg_stat_activity
         WHERE datname = ${this.database}
            OR (datname IS NULL AND backend_type <> 'client backend')`;
      return rows.map((r) => r.pid);
    } catch {
      return [];
    }
  }

  private used(pid: number): number {
    const last = this.last.get(pid);
    return last === undefined ? 0 : Math.max(0, last.ticks - (this.first.get(pid) ?? 0));
  }

  /** Stops sampling and sums up. */
  async stop(): Promise<{ load: MachineLoad; cpu: CpuByGroup }> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    const seconds = Math.max(0.001, (performance.now() - this.startedAt) / 1000);
    const cpuEnd = await readCpuTotals();
    let benchTicks = 0;
    let externalTicks = 0;
    const external: [string, number][] = [];
    for (const pid of this.last.keys()) {
      const ticks = this.used(pid);
      if (ticks === 0) continue;
      if (this.bench.has(pid)) benchTicks += ticks;
      else {
        externalTicks += ticks;
        external.push([`${this.last.get(pid)?.comm ?? '?'}(${pid})`, ticks]);
      }
    }
    const busyTicks =
      cpuEnd !== null && this.cpuStart !== null ? cpuEnd.busy - this.cpuStart.busy : 0;
    const totalTicks =
      cpuEnd !== null && this.cpuStart !== null ? cpuEnd.total - this.cpuStart.total : 0;
    const toCores = (ticks: number) =>
      Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 1000;
    const externalCores = toCores(externalTicks);
    const watched: Record<string, number> = {};
    for (const [name, pid] of this.watchedPids) {
      watched[name] = Math.round((this.used(pid) / TICKS_PER_SECOND) * 100) / 100;
    }
    let pgTicks = 0;
    for (const pid of this.pgBench) pgTicks += this.used(pid);
    return {
      load: {
        loadavgStart: this.loadStart,
        loadavgEnd: load1(),
        cpuBusy: totalTicks > 0 ? Math.round((busyTicks / totalTicks) * 1000) / 1000 : Number.NaN,
        benchCores: toCores(benchTicks),
        externalCores,
        unattributedCores: Math.max(
          0,
          Math.round(
            ((busyTicks - benchTicks - externalTicks) / TICKS_PER_SECOND / seconds) * 1000,
          ) / 1000,
        ),
        topExternal: external
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([name, ticks]) => `${name}:${toCores(ticks)}`),
        disturbed: externalCores > DISTURBANCE_THRESHOLD_CORES,
      },
      cpu: {
        watched,
        postgres: Math.round((pgTicks / TICKS_PER_SECOND) * 100) / 100,
      },
    };
  }
}

/**
 * The host's speed now: the wall time (ms) of a fixed piece of single-threaded work, the least
 * of three tries. A virtual machine whose host is busy with other tenants runs it slower while
 * this machine's own processes look idle, which the disturbance check (processes of this
 * machine) cannot see.
 */
export function hostProbeMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const started = performance.now();
    let x = 0x9e3779b9;
    for (let i = 0; i < 4_000_000; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
    }
    // xorshift never reaches 0 from a seed that is not 0: reading x keeps the loop's work.
    if (x === 0) throw new Error('host probe: the work went wrong');
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * A case's host speed: the probe's time at the start of the run (`referenceMs`) over its time
 * around the case, the slower of before and after; 1 = as fast as at the start, 0.6 = the same
 * work took 1.67 times as long. Two decimals.
 */
export function hostSpeed(referenceMs: number, beforeMs: number, afterMs: number): number {
  const around = Math.max(beforeMs, afterMs);
  if (!(around > 0) || !(referenceMs > 0)) return Number.NaN;
  return Math.round((referenceMs / around) * 100) / 100;
}

/** Below this host speed a case's line says so (its rates are not comparable with the rest). */
export const SLOW_HOST_SPEED = 0.8;
