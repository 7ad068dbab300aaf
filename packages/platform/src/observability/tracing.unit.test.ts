import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp } from '../http/service-app.ts';
import { requestTraceparent } from './http-telemetry.ts';
import { startTracing, type Tracing } from './tracing.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** An OTLP/HTTP collector stand-in: records every body posted to /v1/traces. */
const startCollector = async () => {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
};

describe('tracing over OTLP', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let tracing: Tracing;

  beforeAll(async () => {
    collector = await startCollector();
    tracing = startTracing({ service: 'test-service', otlpEndpoint: collector.url });
  });
  afterAll(async () => {
    await collector.close();
  });

  it('is off without an endpoint', async () => {
    const off = startTracing({ service: 'x' });
    expect(off.enabled).toBe(false);
    await off.shutdown();
  });

  it('continues the caller’s trace in a server span and exports it', async () => {
    expect(tracing.enabled).toBe(true);
    const app = await createServiceApp({ title: 'test', logger: false, health: async () => ({ ok: true, details: {} }) });
    app.get('/things/:id', async (request) => ({ traceparent: requestTraceparent(request) }));
    const res = await app.inject({ method: 'GET', url: '/things/1', headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } });
    const handedOn = res.json<{ traceparent: string }>().traceparent;
    // Same trace, but the parent handed on is the server span, not the caller's span.
    expect(handedOn).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(handedOn).not.toContain('00f067aa0ba902b7');
    await app.close();
    await tracing.shutdown(); // flushes the batch
    const exported = collector.bodies.join('\n');
    expect(exported).toContain('GET /things/:id');
    expect(exported).toContain('test-service');
  });
});
