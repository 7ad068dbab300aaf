import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, latencyHistogramOnce } from './metrics.ts';

const VALUES = [0.0001, 0.0005, 0.0007, 0.003, 0.003, 0.2, 4, 11, 60];

describe('LatencyHistogram', () => {
  it('is exposed exactly as prom-client’s histogram for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    for (const registry of [ours, theirs]) registry.setDefaultLabels({ service: 'svc' });
    const fast = latencyHistogramOnce(ours, 'h_seconds', 'help text', ['method', 'route']);
    const reference = new Histogram({ name: 'h_seconds', help: 'help text', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers: [theirs] });
    // Series are listed in the order they are first seen, as prom-client lists them: POST first here.
    const post = fast.observer({ method: 'POST', route: '/b' });
    const get = fast.observer({ method: 'GET', route: '/a/:id' });
    VALUES.forEach((v, i) => {
      (i % 3 === 0 ? post : get)(v);
      reference.observe({ method: i % 3 === 0 ? 'POST' : 'GET', route: i % 3 === 0 ? '/b' : '/a/:id' }, v);
    });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('is created once per registry, and an observer taken twice feeds one series', async () => {
    const registry = new Registry();
    const first = latencyHistogramOnce(registry, 'h_seconds', 'help', ['route']);
    expect(latencyHistogramOnce(registry, 'h_seconds', 'help', ['route'])).toBe(first);
    first.observer({ route: '/x' })(0.01);
    first.observer({ route: '/x' })(0.02);
    expect(await registry.metrics()).toContain('h_seconds_count{route="/x"} 2\n');
  });

  it('refuses a name taken by another kind of metric, and zeroes on reset without losing observers', async () => {
    const registry = new Registry();
    new Histogram({ name: 'taken_seconds', help: 'h', registers: [registry] });
    expect(() => latencyHistogramOnce(registry, 'taken_seconds', 'h', ['route'])).toThrow(/another kind/);
    const histogram = latencyHistogramOnce(registry, 'h_seconds', 'help', ['route']);
    const observe = histogram.observer({ route: '/x' });
    observe(0.01);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('h_seconds_count{route="/x"} 0\n');
    observe(0.01);
    observe(Number.NaN);
    expect(await registry.metrics()).toContain('h_seconds_count{route="/x"} 1\n');
  });
});
