import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from './upstream/circuit-breaker.ts';

const STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

export interface GatewayMetrics {
  readonly registry: Registry;
  breakerChanged(upstream: string, state: BreakerState): void;
  observeUpstream(upstream: string, status: number | 'error', seconds: number): void;
  rateLimited(): void;
  /** A micro-cacheable query answered from the micro-cache (true) or upstream (false). */
  microCache(hit: boolean): void;
  readonly openStreams: Gauge;
}

/** The gateway's Prometheus metrics: breaker state per upstream, upstream latency, refusals, micro-cache hits, open SSE streams. */
export const createGatewayMetrics = (): GatewayMetrics => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const breaker = new Gauge({ name: 'gateway_upstream_breaker_state', help: 'Circuit breaker per upstream: 0 closed, 1 half-open, 2 open', labelNames: ['upstream'], registers: [registry] });
  const transitions = new Counter({ name: 'gateway_upstream_breaker_transitions_total', help: 'Breaker state changes', labelNames: ['upstream', 'state'], registers: [registry] });
  const upstream = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Calls to upstream services, by status class',
    labelNames: ['upstream', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const limited = new Counter({ name: 'gateway_rate_limited_total', help: 'Requests refused with 429', registers: [registry] });
  const microCache = new Counter({ name: 'gateway_micro_cache_total', help: 'Micro-cacheable queries, by result: hit or miss', labelNames: ['result'], registers: [registry] });
  const [hits, misses] = [microCache.labels('hit'), microCache.labels('miss')];
  const openStreams = new Gauge({ name: 'gateway_event_streams_open', help: 'Open server-sent event streams', registers: [registry] });
  return {
    registry,
    openStreams,
    breakerChanged(name, state) {
      breaker.set({ upstream: name }, STATE_VALUE[state]);
      transitions.inc({ upstream: name, state });
    },
    observeUpstream(name, status, seconds) {
      upstream.observe({ upstream: name, status: status === 'error' ? 'error' : `${Math.floor(status / 100)}xx` }, seconds);
    },
    rateLimited: () => limited.inc(),
    microCache: (hit) => (hit ? hits : misses).inc(),
  };
};
