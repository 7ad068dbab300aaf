import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pulse } from './ops/pulse.ts';
import { ADMIN, startTestPlatform, type TestPlatform } from './testing/platform.ts';

let platform: TestPlatform;

const signIn = async (base: string) => {
  for (let i = 0; ; i++) {
    const res = await fetch(`${base}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    if (res.status === 200) return ((await res.json()) as { accessToken: string }).accessToken;
    if (i > 100) throw new Error(`sign-in answered ${res.status}`);
    await sleep(50);
  }
};

/** Stand-ins for the ingestion and reporting services (their own packages test them): a /health that answers. */
const healthyService = async () => {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ ok: true, details: { store: 'up' } }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, stop: () => app.close() };
};

/** Accepts connections and never answers: a hung service. */
const silentServer = async (): Promise<{ url: string; stop(): Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    stop: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
};

const pulseOf = async (base: string, token: string) => {
  const res = await fetch(`${base}/api/v1/ops/pulse`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Pulse };
};

beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);
afterAll(async () => {
  await platform?.close();
});

describe('GET /api/v1/ops/pulse', () => {
  it('checks every upstream and the gateway’s own stores: 200 when all are up, 503 with the stopped one down', async () => {
    const [ingestion, reporting] = await Promise.all([healthyService(), healthyService()]);
    const gateway = await platform.startGateway({ INGESTION_URL: ingestion.url, REPORTING_URL: reporting.url });
    const token = await signIn(gateway.url);

    const healthy = await pulseOf(gateway.url, token);
    expect(healthy.status, JSON.stringify(healthy.body)).toBe(200);
    expect(healthy.body.status).toBe('up');
    expect(Number.isNaN(Date.parse(healthy.body.checkedAt))).toBe(false);
    expect(healthy.body.services.map((s) => s.name).sort()).toEqual(['cache', 'event-store', 'ingestion', 'projectors', 'read-api', 'read-store', 'reporting', 'write-api']);
    for (const service of healthy.body.services) {
      expect(service.status).toBe('up');
      expect(service.latencyMs).toBeGreaterThanOrEqual(0);
    }
    // The upstream's own /health details come through.
    expect(healthy.body.services.find((s) => s.name === 'ingestion')?.details).toEqual({ store: 'up' });

    await reporting.stop();
    const degraded = await pulseOf(gateway.url, token);
    expect(degraded.status).toBe(503);
    expect(degraded.body.status).toBe('degraded');
    const down = degraded.body.services.filter((s) => s.status === 'down');
    expect(down.map((s) => s.name)).toEqual(['reporting']);
    expect(String(down[0]!.details['error'])).toMatch(/ECONNREFUSED|unavailable/);
    await ingestion.stop();
  }, 30_000);

  it('does not hang on a service that never answers: that entry is down within the check timeout', async () => {
    const silent = await silentServer();
    const healthy = await healthyService();
    const gateway = await platform.startGateway({ INGESTION_URL: healthy.url, REPORTING_URL: silent.url, UPSTREAM_TIMEOUT_MS: '400', NOTIFIER_ENABLED: 'false' });
    const token = await signIn(gateway.url);
    const started = Date.now();
    const pulse = await pulseOf(gateway.url, token);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pulse.status).toBe(503);
    const reporting = pulse.body.services.find((s) => s.name === 'reporting')!;
    expect(reporting.status).toBe('down');
    expect(pulse.body.services.filter((s) => s.status === 'down')).toHaveLength(1);
    await Promise.all([silent.stop(), healthy.stop()]);
  }, 30_000);

  it('requires a signed-in user', async () => {
    const gateway = await platform.startGateway({ NOTIFIER_ENABLED: 'false' });
    expect((await fetch(`${gateway.url}/api/v1/ops/pulse`)).status).toBe(401);
  });
});

describe('GET /metrics', () => {
  it('serves the gateway’s metrics and the platform’s HTTP latency histogram from one registry', async () => {
    const gateway = await platform.startGateway({ NOTIFIER_ENABLED: 'false' });
    await fetch(`${gateway.url}/health`);
    const res = await fetch(`${gateway.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('nationpulse_http_request_duration_seconds_bucket');
    expect(text).toContain('gateway_upstream_breaker_state{upstream="reporting"} 0');
  });
});
