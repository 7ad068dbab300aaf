import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createServiceApp } from '../http/service-app.ts';
import { requestTraceparent } from './http-telemetry.ts';
import { createMetricsRegistry } from './metrics.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('HTTP telemetry (tracing off)', () => {
  let app: FastifyInstance;
  const registry = createMetricsRegistry('test-service');

  beforeAll(async () => {
    app = await createServiceApp({ title: 'test', logger: false, health: async () => ({ ok: true, details: {} }), metrics: registry });
    app.get('/things/:id', async (request) => ({ traceparent: requestTraceparent(request) }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('hands on the caller’s traceparent when no span records', async () => {
    const res = await app.inject({ method: 'GET', url: '/things/1', headers: { traceparent: TRACEPARENT } });
    expect(res.json()).toEqual({ traceparent: TRACEPARENT });
  });

  it('measures latency by route pattern and status, served on /metrics with the service label', async () => {
    await app.inject({ method: 'GET', url: '/things/2' });
    await app.inject({ method: 'GET', url: '/nowhere' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/nationpulse_http_request_duration_seconds_count\{service="test-service",method="GET",route="\/things\/:id",status_code="200"\} 2\n/);
    expect(res.body).toMatch(/route="unmatched",status_code="404"/);
    expect(res.body).toContain('nationpulse_process_cpu_seconds_total');
  });
});
