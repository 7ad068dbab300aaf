import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProjectionManager } from './runner/projection-manager.ts';
import type { RunnerProgress } from './runner/projection-runner.ts';

/** Projection progress as Prometheus metrics: position, lag, rebuild progress, events/s, batch latency. */
export const createProjectorMetrics = (registry: Registry, getManager: () => ProjectionManager | null) => {
  const labels = ['projection'] as const;
  const status = async () => (await getManager()?.status()) ?? [];
  new Gauge({
    name: 'nationpulse_projection_position',
    help: 'Global position the live copy has applied',
    labelNames: labels,
    registers: [registry],
    async collect() {
      for (const s of await status()) this.set({ projection: s.name }, s.position);
    },
  });
  new Gauge({
    name: 'nationpulse_projection_lag_positions',
    help: 'Event-store head minus the live copy position',
    labelNames: labels,
    registers: [registry],
    async collect() {
      for (const s of await status()) this.set({ projection: s.name }, s.lag);
    },
  });
  new Gauge({
    name: 'nationpulse_projection_rebuild_position',
    help: 'Global position a rebuild (shadow copy) has reached; 0 when not rebuilding',
    labelNames: labels,
    registers: [registry],
    async collect() {
      for (const s of await status()) this.set({ projection: s.name }, s.rebuild?.position ?? 0);
    },
  });
  const events = new Counter({ name: 'nationpulse_projection_events_total', help: 'Events applied', labelNames: ['projection', 'copy'], registers: [registry] });
  const batches = new Histogram({
    name: 'nationpulse_projection_batch_seconds',
    help: 'Time to apply and commit one batch',
    labelNames: ['projection', 'copy'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    onProgress(p: RunnerProgress) {
      events.inc({ projection: p.projection, copy: p.copy }, p.eventsApplied);
      batches.observe({ projection: p.projection, copy: p.copy }, p.batchMs / 1000);
    },
  };
};
