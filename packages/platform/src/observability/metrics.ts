import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Latency buckets (seconds) shared by HTTP, gRPC and event-store histograms: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One registry per service process: every metric carries `service`, and the process metrics
 * (CPU, memory, event-loop lag, GC) come with it. Services add their own metrics to it and
 * serve it on `/metrics`.
 */
export const createMetricsRegistry = (service: string): Registry => {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'nationpulse_' });
  return registry;
};

/** The metric of that name in the registry, created once (several servers of one process share it). */
export const histogramOnce = <L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Histogram<L> =>
  (registry.getSingleMetric(name) as Histogram<L> | undefined) ??
  new Histogram<L>({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [registry] });

type LabelValues<L extends string> = Readonly<Record<L, string>>;

interface LatencySeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative), the last one above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

interface ExportedValue {
  readonly labels: Record<string, string | number>;
  readonly sharedLabels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly metricName: string;
  readonly exemplar?: null;
}

/**
 * A latency histogram for a hot path, exposed exactly as prom-client's Histogram (`_bucket` with
 * `le`, `_sum`, `_count`, the registry's default labels): the caller takes one observer per label
 * set and keeps it, and an observation is then a bucket search and three additions. prom-client's
 * labelled observe validates and hashes the labels on every call, which was the largest single
 * item of the HTTP telemetry's CPU per request in the gateway benchmark.
 */
export class LatencyHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #series = new Map<string, LatencySeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly bounds: readonly number[] = LATENCY_BUCKETS,
  ) {}

  /** The function that records one value (seconds) for this label set; take it once per label set. */
  observer(labels: LabelValues<L>): (seconds: number) => void {
    const key = this.labelNames.map((name) => labels[name]).join('\u0000');
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: Object.fromEntries(this.labelNames.map((name) => [name, labels[name]])), counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const { bounds } = this;
    const target = series;
    return (seconds) => {
      if (!Number.isFinite(seconds)) return;
      let i = 0;
      while (i < bounds.length && seconds > bounds[i]!) i += 1;
      target.counts[i]! += 1;
      target.sum += seconds;
      target.count += 1;
    };
  }

  /** What the registry formats for `/metrics` (the shape prom-client's own histogram hands it). */
  async getForPromString() {
    const values: ExportedValue[] = [];
    for (const series of this.#series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le }, sharedLabels: series.labels, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_bucket`, exemplar: null },
        { labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As getForPromString, each value's labels complete (what getMetricsAsJSON reads). */
  async get() {
    const data = await this.getForPromString();
    return { ...data, values: data.values.map(({ sharedLabels, labels, ...value }) => ({ ...value, labels: { ...labels, ...sharedLabels } })) };
  }

  reset(): void {
    // Observers keep their series: zero them rather than forget them.
    for (const series of this.#series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}

/** The latency histogram of that name in the registry, created once (several servers of one process share it). */
export const latencyHistogramOnce = <L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): LatencyHistogram<L> => {
  const existing = registry.getSingleMetric(name) as unknown;
  if (existing instanceof LatencyHistogram) return existing as LatencyHistogram<L>;
  if (existing) throw new Error(`metric ${name} is already registered as another kind`);
  const histogram = new LatencyHistogram<L>(name, help, labelNames);
  registry.registerMetric(histogram as unknown as Parameters<Registry['registerMetric']>[0]);
  return histogram;
};
