import type { Metric, Registry } from 'prom-client';

/** One sample of a family read at scrape time; `suffix` names a histogram's `_bucket` etc. */
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
  readonly read: () => Promise<readonly ReadSample[]>;
}

/**
 * A metric family whose samples are read when scraped (from the database here), registered on
 * a prom-client registry beside the ones it counts itself. prom-client's own classes hold
 * their values in the process; this one hands the registry what `read` returns, in the shape
 * its text writer takes (`metricName` carries a histogram's suffixes).
 */
class ReadMetric {
  readonly name: string;
  readonly help: string;
  readonly type: ReadMetricSpec['type'];
  readonly aggregator = 'sum' as const;
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

  /** Nothing is held between scrapes. */
  reset(): void {}
}

/** Registers a family read at scrape time on `registry`. */
export function registerReadMetric(registry: Registry, spec: ReadMetricSpec): void {
  // The registry calls only name, type, get() and reset() of what it holds.
  registry.registerMetric(new ReadMetric(spec) as unknown as Metric);
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
