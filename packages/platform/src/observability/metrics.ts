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
