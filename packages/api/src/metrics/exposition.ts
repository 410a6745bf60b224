/** Writes the Prometheus text exposition format (version 0.0.4). */

/** Labels of one sample. */
export type Labels = Readonly<Record<string, string>>;

/** The media type of the exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (ch) => (ch === '\n' ? '\\n' : `\\${ch}`));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function sample(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length === 0 ? '' : `{${pairs.join(',')}}`} ${formatValue(value)}`;
}

/** Accumulates metric families and renders them. */
export class Exposition {
  readonly #lines: string[] = [];

  /** Starts a family with its help text and type. */
  family(name: string, type: 'gauge' | 'counter' | 'histogram', help: string): this {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
    return this;
  }

  /** One sample of the current family. */
  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(sample(name, labels, value));
    return this;
  }

  /** The samples of one histogram series: cumulative buckets, +Inf, sum and count. */
  histogram(
    name: string,
    labels: Labels,
    bounds: readonly number[],
    cumulative: readonly number[],
    sum: number,
    count: number,
  ): this {
    bounds.forEach((bound, i) => {
      this.sample(`${name}_bucket`, { ...labels, le: formatValue(bound) }, cumulative[i] ?? 0);
    });
    this.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, count);
    this.sample(`${name}_sum`, labels, sum);
    return this.sample(`${name}_count`, labels, count);
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}
