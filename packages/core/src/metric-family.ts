/**
 * Metric families whose samples are read when scraped, in the shape prom-client's registry
 * renders (its `registerMetric` takes any object with `name`, `type`, `get()` and `reset()`),
 * so that counts kept in plain numbers cost nothing per job and are read once per scrape.
 * Pure: no prom-client here; the packages that serve /metrics register these on theirs.
 */

/**
 * Upper bounds (seconds) of the histograms of job run time and queue wait, 5 ms to 1 hour: the
 * worker's (per process) and the API's (read from the table) share them, so they add up.
 */
export const JOB_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/** One sample; `suffix` names a histogram's `_bucket`, `_sum` and `_count` series. */
export interface ReadSample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly suffix?: '_bucket' | '_sum' | '_count';
}

/** What a family read at scrape time is. */
export interface ReadMetricSpec {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  /** Its samples now; called once per scrape. */
  readonly read: () => readonly ReadSample[] | Promise<readonly ReadSample[]>;
}

/** A registry that families can be added to (prom-client's `Registry` is one). */
export interface MetricRegistry {
  registerMetric(metric: never): void;
}

/** A family read at scrape time, as prom-client's text writer takes it. */
class ReadMetric {
  readonly name: string;
  readonly help: string;
  readonly type: ReadMetricSpec['type'];
  readonly aggregator = 'sum';
  readonly #read: ReadMetricSpec['read'];

  constructor(spec: ReadMetricSpec) {
    this.name = spec.name;
    this.help = spec.help;
    this.type = spec.type;
    this.#read = spec.read;
  }

  async get() {
    const samples = await this.#read();
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: samples.map((s) => ({
        labels: { ...s.labels },
        value: s.value,
        ...(s.suffix === undefined ? {} : { metricName: `${this.name}${s.suffix}` }),
      })),
    };
  }

  /** Nothing is held here between scrapes. */
  reset(): void {}
}

/** Adds a family read at scrape time to `registry`. */
export function registerReadMetric(registry: MetricRegistry, spec: ReadMetricSpec): void {
  // The registry calls only name, type, get() and reset() of what it holds.
  registry.registerMetric(new ReadMetric(spec) as never);
}

/** The samples of one histogram series: cumulative buckets, +Inf, sum and count. */
export function histogramSamples(
  labels: Readonly<Record<string, string>>,
  bounds: readonly number[],
  cumulative: readonly number[],
  sum: number,
  count: number,
): ReadSample[] {
  const out: ReadSample[] = bounds.map((bound, i) => ({
    labels: { ...labels, le: bound },
    value: cumulative[i] ?? 0,
    suffix: '_bucket',
  }));
  out.push({ labels: { ...labels, le: '+Inf' }, value: count, suffix: '_bucket' });
  out.push({ labels, value: sum, suffix: '_sum' });
  out.push({ labels, value: count, suffix: '_count' });
  return out;
}

/**
 * Observations of one histogram series, kept as counts per bucket: an observation is a short
 * scan of the bounds and two additions. `bounds` are ascending upper bounds.
 */
export class BucketCounts {
  readonly #bounds: readonly number[];
  readonly #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.#counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    this.#sum += value;
    this.#count += 1;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.#counts[i] = (this.#counts[i] as number) + 1;
        return;
      }
    }
  }

  get count(): number {
    return this.#count;
  }

  /** The series' samples under `labels`. */
  samples(labels: Readonly<Record<string, string>>): ReadSample[] {
    let running = 0;
    const cumulative = this.#counts.map((n) => {
      running += n;
      return running;
    });
    return histogramSamples(labels, this.#bounds, cumulative, this.#sum, this.#count);
  }
}
