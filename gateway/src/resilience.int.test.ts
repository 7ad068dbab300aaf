import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestPlatform, type TestPlatform } from './testing/platform.ts';

let platform: TestPlatform;
let token: string;

const signIn = async (base: string, username = ADMIN.username, password = ADMIN.password) => {
  for (let i = 0; ; i++) {
    const res = await fetch(`${base}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (res.status === 200) return ((await res.json()) as { accessToken: string }).accessToken;
    if (i > 100) throw new Error(`sign-in answered ${res.status}`);
    await sleep(50);
  }
};

/** A stand-in for the ingestion service (another engineer's): records what it receives. */
const fakeIngestion = async (port = 0) => {
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: unknown }[] = [];
  let failNext = 0;
  const app: FastifyInstance = Fastify({ logger: false });
  app.addHook('onRequest', async (request) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers, body: null });
  });
  app.post('/api/v1/ingestions', async (request, reply) => {
    seen.at(-1)!.body = request.body;
    if (failNext > 0) {
      failNext--;
      return reply.status(502).send({ error: { code: 'BAD_GATEWAY', message: 'x' } });
    }
    return reply.status(202).header('x-position', '42').send({ runId: 'run-1', position: 42 });
  });
  app.get('/api/v1/ingestions/:runId', async (request, reply) => {
    if (failNext > 0) {
      failNext--;
      return reply.status(502).send({ error: { code: 'BAD_GATEWAY', message: 'x' } });
    }
    return reply.header('x-position', '43').send({ runId: (request.params as { runId: string }).runId, status: 'running' });
  });
  const url = await app.listen({ host: '127.0.0.1', port });
  return { app, url, port: Number(new URL(url).port), seen, failNextWith502: (n: number) => (failNext = n) };
};

/** Accepts connections and never answers: a hung upstream. */
const silentServer = async (): Promise<{ server: Server; url: string; stop(): Promise<void> }> => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
};

const metric = async (base: string, name: string, upstream: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{upstream="${upstream}"}`));
  return Number(line?.split(' ').at(-1));
};

beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);
afterAll(async () => {
  await platform?.close();
});

describe('upstream resilience', () => {
  it('opens the breaker when an upstream stops (503 fast, no hanging), and closes it once the upstream is back', async () => {
    let fake = await fakeIngestion();
    const gateway = await platform.startGateway({
      INGESTION_URL: fake.url,
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_OPEN_MS: '400',
      UPSTREAM_TIMEOUT_MS: '1000',
      NOTIFIER_ENABLED: 'false',
    });
    token = await signIn(gateway.url);
    const trigger = () =>
      fetch(`${gateway.url}/api/v1/ingestions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'worldbank-api', indicators: ['SP.POP.TOTL'] }),
        signal: AbortSignal.timeout(5_000),
      });

    const ok = await trigger();
    expect(ok.status).toBe(202);
    expect(ok.headers.get('x-position')).toBe('42');
    expect(fake.seen.at(-1)!.body).toEqual({ source: 'worldbank-api', indicators: ['SP.POP.TOTL'] });
    expect(await metric(gateway.url, 'gateway_upstream_breaker_state', 'ingestion')).toBe(0);

    await fake.app.close();
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await trigger();
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    expect(await metric(gateway.url, 'gateway_upstream_breaker_state', 'ingestion')).toBe(2);
    const fast = Date.now();
    const open = await trigger();
    expect(open.status).toBe(503);
    expect(open.headers.get('retry-after')).toBe('1');
    expect(((await open.json()) as { error: { message: string } }).error.message).toContain('circuit open');
    expect(Date.now() - fast).toBeLessThan(300); // far below the 1 s timeout: the upstream is not even tried
    // Other upstreams are unaffected.
    expect((await fetch(`${gateway.url}/api/v1/indicators`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    fake = await fakeIngestion(fake.port);
    await sleep(450);
    const probe = await trigger();
    expect(probe.status).toBe(202);
    expect(await metric(gateway.url, 'gateway_upstream_breaker_state', 'ingestion')).toBe(0);
    await fake.app.close();
  });

  it('answers 503 UPSTREAM_TIMEOUT when an upstream hangs, within the timeout', async () => {
    const silent = await silentServer();
    const gateway = await platform.startGateway({ INGESTION_URL: silent.url, UPSTREAM_TIMEOUT_MS: '300', NOTIFIER_ENABLED: 'false' });
    const t = await signIn(gateway.url);
    for (const method of ['GET', 'POST'] as const) {
      const started = Date.now();
      const res = await fetch(`${gateway.url}/api/v1/ingestions${method === 'GET' ? '/run-1' : ''}`, {
        method,
        headers: { authorization: `Bearer ${t}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(800);
    }
    await silent.stop();
  });

  it('retries idempotent reads after a bad gateway answer, never commands; propagates request id and trace context', async () => {
    const fake = await fakeIngestion();
    const gateway = await platform.startGateway({ INGESTION_URL: fake.url, UPSTREAM_RETRY_BACKOFF_MS: '10', NOTIFIER_ENABLED: 'false' });
    const t = await signIn(gateway.url);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    fake.failNextWith502(1);
    const before = fake.seen.length;
    const read = await fetch(`${gateway.url}/api/v1/ingestions/run-7?minPosition=12`, {
      headers: { authorization: `Bearer ${t}`, 'x-request-id': 'req-abc-123', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-position')).toBe('43');
    expect(read.headers.get('x-request-id')).toBe('req-abc-123');
    const calls = fake.seen.slice(before);
    expect(calls).toHaveLength(2);
    for (const c of calls) {
      expect(c.url).toBe('/api/v1/ingestions/run-7?minPosition=12');
      expect(c.headers['x-request-id']).toBe('req-abc-123');
      expect(c.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(c.headers.traceparent).not.toContain('00f067aa0ba902b7');
      expect(c.headers.authorization).toBe(`Bearer ${t}`);
    }

    fake.failNextWith502(1);
    const mark = fake.seen.length;
    const command = await fetch(`${gateway.url}/api/v1/ingestions`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: '{}' });
    expect(command.status).toBe(502);
    expect(fake.seen.length - mark).toBe(1);
    await fake.app.close();
  });
});

describe('rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the per-user budget, and never limits exempt users', async () => {
    const gateway = await platform.startGateway({ RATE_LIMIT_USER_PER_MINUTE: '3', RATE_LIMIT_IP_PER_MINUTE: '0', NOTIFIER_ENABLED: 'false' });
    const t = await signIn(gateway.url);
    const get = () => fetch(`${gateway.url}/api/v1/indicators`, { headers: { authorization: `Bearer ${t}` } });
    for (let i = 0; i < 3; i++) expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(19);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toMatch(/gateway_rate_limited_total [1-9]/);

    const exempt = await platform.startGateway({ RATE_LIMIT_USER_PER_MINUTE: '1', RATE_LIMIT_IP_PER_MINUTE: '1', RATE_LIMIT_EXEMPT_USERS: 'admin', NOTIFIER_ENABLED: 'false' });
    const e = await signIn(exempt.url);
    for (let i = 0; i < 10; i++) expect((await fetch(`${exempt.url}/api/v1/indicators`, { headers: { authorization: `Bearer ${e}` } })).status).toBe(200);
  });

  it('limits sign-in attempts per IP', async () => {
    const gateway = await platform.startGateway({ RATE_LIMIT_AUTH_PER_MINUTE: '2', NOTIFIER_ENABLED: 'false' });
    const attempt = () => fetch(`${gateway.url}/api/v1/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'guess' }) });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('browser concerns', () => {
  it('serves the built UI: files, long-cached hashed assets, index.html for client routes, compression', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'np-ui-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>NationPulse</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-BxA12cD9.js'), `console.log(${JSON.stringify('x'.repeat(5_000))});`);
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    const gateway = await platform.startGateway({ UI_DIST_DIR: dist, NOTIFIER_ENABLED: 'false' });

    const index = await fetch(`${gateway.url}/`);
    expect(await index.text()).toContain('<div id="root">');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const route = await fetch(`${gateway.url}/countries/FRA?tab=health`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="root">');
    const asset = await fetch(`${gateway.url}/assets/index-BxA12cD9.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect((await fetch(`${gateway.url}/favicon.svg`)).headers.get('cache-control')).toBe('public, max-age=0');
    expect((await fetch(`${gateway.url}/../../etc/passwd`)).status).toBe(200); // normalised by the URL parser: the app shell
    expect((await fetch(`${gateway.url}/%2e%2e/%2e%2e/etc/passwd`)).headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${gateway.url}/api/v1/unknown`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const gateway = await platform.startGateway({ CORS_ORIGINS: 'https://ui.example', NOTIFIER_ENABLED: 'false' });
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/api/v1/corrections`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const allowed = await preflight('https://ui.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ui.example');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${gateway.url}/api/v1/indicators`, { headers: { origin: 'https://ui.example', authorization: `Bearer ${token}` } });
    expect(simple.headers.get('access-control-expose-headers')).toContain('x-position');
  });
});
